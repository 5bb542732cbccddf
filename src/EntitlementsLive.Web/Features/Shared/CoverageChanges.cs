using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// An event's coverage after a change inside the caller's transaction: the event is read fresh, the
/// domain applies the change (counters, reconcile, or just a new allocation) and decides whether the event
/// is missing; the result is saved and the live messages are prepared (the event's coverage, and the
/// organization's missing counts when the event turned red or back).
/// </summary>
public sealed class CoverageChanges
{
    private CoverageChanges(EventDto coverage, MissingCounts? counts, Alerts.AlertChanges alerts)
    {
        Coverage = coverage;
        Counts = counts;
        Alerts = alerts;
    }

    /// <summary>The event's warning raised or resolved by this change (rule 13).</summary>
    public Alerts.AlertChanges Alerts { get; }

    public EventDto Coverage { get; }

    /// <summary>Set when the event turned red or back, so the organization's counts changed.</summary>
    public MissingCounts? Counts { get; }

    public int MessageCount => (Counts is null ? 1 : 2) + Alerts.MessageCount;

    public static async Task<CoverageChanges> ApplyAsync(AppDbContext db, int organizationId, int eventId, DateTime now,
        Action<Event>? change, CancellationToken ct)
    {
        // Allocations may have moved through guarded updates that bypass the change tracker: read afresh.
        db.ChangeTracker.Clear();
        var events = db.Events.Include(x => x.Products).Where(x => x.Id == eventId && x.OrganizationId == organizationId);
        var e = await (change is null ? events.AsNoTracking() : events).SingleAsync(ct);
        var wasMissing = e.IsMissing;
        change?.Invoke(e);
        e.RefreshMissing();
        if (change is not null)
        {
            await db.SaveChangesAsync(ct);
        }
        else if (e.IsMissing != wasMissing)
        {
            // Only the derived flag moved (a transfer): one narrow update instead of tracking the event.
            var missing = e.IsMissing;
            await db.Events.Where(x => x.Id == eventId).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsMissing, missing), ct);
        }

        return await ForAsync(db, e, wasMissing, now, ct);
    }

    /// <summary>The messages of an event already saved; the organization's counts when it turned red or back.</summary>
    public static async Task<CoverageChanges> ForAsync(AppDbContext db, Event e, bool wasMissing, DateTime now, CancellationToken ct)
    {
        var counts = e.IsMissing != wasMissing ? await Snapshots.MissingCountsAsync(db, e.OrganizationId, now, ct) : null;
        var alerts = await Features.Alerts.AlertChanges.ForEventAsync(db, e, wasMissing, now, ct);
        return new CoverageChanges(Snapshots.ToDto(e, e.Products, await Snapshots.ProductsAsync(db, ct), now), counts, alerts);
    }

    public IEnumerable<OutboxMessage> Messages(int organizationId, long firstSequence, DateTime now)
    {
        yield return LiveMessages.Coverage(organizationId, firstSequence, Coverage, now);
        if (Counts is not null)
        {
            yield return LiveMessages.Missing(organizationId, firstSequence + 1, Counts, now);
        }

        foreach (var alert in Alerts.Messages(organizationId, firstSequence + (Counts is null ? 1 : 2), now))
        {
            yield return alert;
        }
    }

    /// <summary>Reserves the sequences and writes the messages, for changes that push nothing else.</summary>
    public async Task WriteAsync(AppDbContext db, int organizationId, DateTime now, CancellationToken ct)
    {
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, MessageCount, ct);
        await OutboxWriter.InsertAsync(db, Messages(organizationId, sequence, now).ToList(), ct);
    }
}
