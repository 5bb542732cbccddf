using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Requests;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Events;

/// <summary>
/// The Backstage event home: the event's coverage (with its newest transfers and participant batches for those who
/// manage entitlements), and its latest request for the banner. Every user of the event sees the banner; managers see
/// how to fix it.
/// </summary>
public sealed record EventScreen(EventEntitlements Details, bool ManagesEntitlements, IReadOnlyList<BatchStatusDto> Batches, RequestDto? LatestRequest)
{
    /// <summary>The event home lists this many of the event's latest participant batches.</summary>
    public const int RecentBatches = 5;
}

/// <summary>The event home's one query. Whether the reader manages entitlements is read once and decides what is read.</summary>
public sealed class EventScreenQuery(CurrentUser me, EventQueries events, BatchQueries batches, RequestQueries requests)
{
    public async Task<EventScreen> For(int organizationId, int eventId, CancellationToken ct)
    {
        var manages = await me.ManagesEntitlementsAsync(organizationId, ct);
        var details = await events.Details(organizationId, eventId, manages, ct);
        var recent = manages ? await batches.Recent(organizationId, eventId, EventScreen.RecentBatches, ct) : [];
        return new EventScreen(details, manages, recent, await requests.Latest(organizationId, eventId, ct));
    }
}
