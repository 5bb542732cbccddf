using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>
/// Who counts and why: an event's participants for its organization's administrators (the folder's policy; the event
/// team does not see it). The figures follow the event's coverage live; a row's history opens in place.
/// </summary>
public sealed class ParticipantsModel(ParticipantsScreenQuery screens, ParticipantQueries participants) : OrgPageModel
{
    [FromRoute] public int EventId { get; set; }

    [FromQuery(Name = "show")] public string Show { get; set; } = "all";

    [FromQuery(Name = "q")] public string? Q { get; set; }

    [FromQuery(Name = "cursor")] public string? Cursor { get; set; }

    /// <summary>The participant whose history is open (without script, the row's link opens it here).</summary>
    [FromQuery(Name = "open")] public string? Open { get; set; }

    public ParticipantsScreen Screen { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Screen = await screens.For(OrgId, EventId, new ParticipantsRequest(Show, Q, Cursor, Open), ct);
        Error = Screen.Refusal;
        Screen = await screens.WithList(OrgId, Screen, ct);
    }

    /// <summary>A bad cursor or an unknown participant to open is said on the list; the event itself must exist.</summary>
    protected override bool ShowsOnPage(DomainException refusal) => base.ShowsOnPage(refusal) || (refusal.Code == ErrorCodes.NotFound && Screen is not null);

    /// <summary>One participant's history, as the row shows it, for the page's script to open in place.</summary>
    public async Task<IActionResult> OnGetHistoryAsync(string? participantRef, CancellationToken ct) =>
        Partial("_ParticipantHistory", await participants.History(OrgId, EventId, participantRef, ct));
}
