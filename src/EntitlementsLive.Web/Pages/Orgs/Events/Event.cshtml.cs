using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Pages.Orgs.Events;

/// <summary>The Backstage event home: every user of the event sees the missing-entitlements banner; managers can fix it.</summary>
public sealed class EventModel(CurrentUser me, EventQueries events, BatchQueries batches) : OrgPageModel
{
    [Microsoft.AspNetCore.Mvc.FromRoute]
    public int EventId { get; set; }

    public EventEntitlements Details { get; private set; } = null!;

    /// <summary>What this reader is shown (fix links, uploads, transfers); access itself is the folder's policy.</summary>
    public bool ManagesEntitlements { get; private set; }

    public IReadOnlyList<BatchStatusDto> Batches { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        ManagesEntitlements = await me.ManagesEntitlementsAsync(OrgId, ct);
        Details = await events.Details(OrgId, EventId, ct);
        Batches = ManagesEntitlements ? await batches.Recent(OrgId, EventId, 5, ct) : [];
    }
}
