using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// An event's coverage after a change of its counters inside a change of the organization: the event is read fresh,
/// the domain applies the change and decides whether it is missing; it is saved at once (what follows in the same
/// change, an auto-cover, reads it), and its coverage and warning are raised.
/// </summary>
public static class CoverageChanges
{
    public static async Task<Event> ApplyAsync(OrganizationChange change, int eventId, Action<Event> apply, CancellationToken ct)
    {
        var db = change.Db;
        var e = await db.Events.Include(x => x.Products).SingleAsync(x => x.Id == eventId && x.OrganizationId == change.OrganizationId, ct);
        var wasMissing = e.IsMissing;
        apply(e);
        e.RefreshMissing();
        await db.SaveChangesAsync(ct);
        await RaiseAsync(change, new CoverageChanged(e, e.IsMissing != wasMissing), wasMissing, ct);
        return e;
    }

    /// <summary>An event's new coverage, and its warning raised or resolved with it.</summary>
    public static async Task RaiseAsync(OrganizationChange change, CoverageChanged coverage, bool wasMissing, CancellationToken ct)
    {
        change.Raise(coverage);
        change.Raise(await AlertChanges.ForEventAsync(change, coverage.Event, wasMissing, ct));
        if (wasMissing && !coverage.Event.IsMissing)
        {
            await FulfilRequestsAsync(change, coverage.Event, ct);
        }
    }

    /// <summary>Rule 15: the event is covered, by whatever means: its open (or approved) request is fulfilled.</summary>
    private static async Task FulfilRequestsAsync(OrganizationChange change, Event e, CancellationToken ct)
    {
        var pending = await change.Db.EntitlementRequests
            .Where(r => r.OrganizationId == change.OrganizationId && r.EventId == e.Id && (r.Status == RequestStatus.Open || r.Status == RequestStatus.Approved))
            .ToListAsync(ct);
        foreach (var request in pending.Where(r => r.Fulfil(change.Now)))
        {
            change.Db.AuditEntries.Add(AuditEntry.Record(change.OrganizationId, change.Now, "system", "", AuditAction.RequestFulfilled, e.Name, "the event is covered"));
            change.Raise(new RequestChanged(request, e.Name));
        }
    }
}
