using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Requests;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Events;

/// <summary>The Backstage event home (see <see cref="EventScreen"/>); its one POST asks an administrator to cover the event.</summary>
public sealed class EventModel(EventScreenQuery screen, AskForEntitlements ask) : OrgPageModel
{
    public const string Asked = "Asked";

    public const string AskRefused = "AskRefused";

    [FromRoute]
    public int EventId { get; set; }

    public EventScreen Screen { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Screen = await screen.For(OrgId, EventId, ct);

    /// <summary>"Ask an administrator to cover this event"; a refusal (nothing missing, a bad note) is said on the page.</summary>
    public async Task<IActionResult> OnPostAsync(string? note, CancellationToken ct)
    {
        var result = await ask.Handle(OrgId, EventId, new AskRequest(note), ct);
        TempData[Asked] = result.Created ? "Your request is with the administrators: this page shows their answer." : "A request is open already: the administrators have it.";
        return RedirectToPage(new { orgId = OrgId, eventId = EventId });
    }

    protected override Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        TempData[AskRefused] = refusal.Message;
        return Task.FromResult<IActionResult>(RedirectToPage(new { orgId = OrgId, eventId = EventId }));
    }
}
