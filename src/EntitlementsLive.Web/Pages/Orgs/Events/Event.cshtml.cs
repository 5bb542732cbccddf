using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Requests;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Events;

/// <summary>
/// The Backstage event home: every user of the event sees the missing-entitlements banner; managers can fix it, and
/// anyone who sees it can ask an administrator to (the page's one POST).
/// </summary>
public sealed class EventModel(CurrentUser me, EventQueries events, BatchQueries batches, RequestQueries requests, AskForEntitlements ask) : OrgPageModel
{
    public const string Asked = "Asked";

    public const string AskRefused = "AskRefused";

    [FromRoute]
    public int EventId { get; set; }

    public EventEntitlements Details { get; private set; } = null!;

    /// <summary>What this reader is shown (fix links, uploads, transfers); access itself is the folder's policy.</summary>
    public bool ManagesEntitlements { get; private set; }

    public IReadOnlyList<BatchStatusDto> Batches { get; private set; } = [];

    /// <summary>The event's latest request, for the banner.</summary>
    public RequestDto? LatestRequest { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        ManagesEntitlements = await me.ManagesEntitlementsAsync(OrgId, ct);
        Details = await events.Details(OrgId, EventId, ct);
        Batches = ManagesEntitlements ? await batches.Recent(OrgId, EventId, 5, ct) : [];
        LatestRequest = await requests.Latest(OrgId, EventId, ct);
    }

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
