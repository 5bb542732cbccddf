using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>
/// Who counts and why: an event's participants for its organization's administrators (the folder's policy; the event
/// team does not see it). The figures follow the event's coverage live; a row's history opens in place.
/// </summary>
public sealed class ParticipantsModel(EventQueries events, ParticipantQueries participants) : OrgPageModel
{
    [FromRoute]
    public int EventId { get; set; }

    [FromQuery(Name = "show")]
    public string Show { get; set; } = "all";

    [FromQuery(Name = "q")]
    public string? Q { get; set; }

    [FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    /// <summary>The participant whose history is open (without script, the row's link opens it here).</summary>
    [FromQuery(Name = "open")]
    public string? Open { get; set; }

    public EventDto Event { get; private set; } = null!;

    public ParticipantCounts Counts { get; private set; } = new(0, 0, 0, 0, 0);

    public ParticipantPage Result { get; private set; } = new([], null);

    public ParticipantHistoryDto? History { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Event = await events.Coverage(OrgId, EventId, ct);
        Counts = await participants.Counts(OrgId, EventId, ct);
        Q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
        var view = ParticipantFilter.Named.FirstOrDefault(v => v.Name == Show);
        if (view.Name is null)
        {
            Error = $"Show {string.Join(", ", ParticipantFilter.Named.Select(v => v.Label.ToLowerInvariant()))} participants.";
            Show = "all";
            return;
        }

        Result = await participants.Page(OrgId, EventId, view.Filter with { Q = Q }, ParticipantQueries.DefaultLimit, Cursor, ct);
        History = Open is null ? null : await participants.History(OrgId, EventId, Open, ct);
    }

    /// <summary>A bad cursor or an unknown participant to open is said on the list; the event itself must exist.</summary>
    protected override bool ShowsOnPage(DomainException refusal) => base.ShowsOnPage(refusal) || (refusal.Code == ErrorCodes.NotFound && Event is not null);

    /// <summary>One participant's history, as the row shows it, for the page's script to open in place.</summary>
    public async Task<IActionResult> OnGetHistoryAsync(string? participantRef, CancellationToken ct) =>
        Partial("_ParticipantHistory", await participants.History(OrgId, EventId, participantRef, ct));

    /// <summary>This page's address with the given changes to its query (the routing builds it; empty values are left out).</summary>
    public string Link(string? show = null, string? cursor = null, string? open = null, bool keepCursor = false) =>
        Url.Page("/Orgs/Entitlements/Participants", new
        {
            orgId = OrgId,
            eventId = EventId,
            show = (show ?? Show) == "all" ? null : show ?? Show,
            q = Q,
            cursor = keepCursor ? Cursor : cursor,
            open,
        })!;

    /// <summary>The API query of the current filter, for the export links.</summary>
    public string ExportQuery(string format)
    {
        var filter = ParticipantFilter.Named.First(v => v.Name == Show).Filter with { Q = Q };
        return string.Join("&", new[] { "format=" + format, filter.Query() }.Where(p => p.Length > 0));
    }
}
