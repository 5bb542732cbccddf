using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// After an event's allocations or counters changed inside a transaction: refreshes its stored
/// "missing" flag and prepares the live messages (the event's coverage, and the organization's
/// missing count when the event turned red or back).
/// </summary>
public sealed class CoverageChanges
{
    private CoverageChanges(EventDto coverage, MissingCounts? counts)
    {
        Coverage = coverage;
        Counts = counts;
    }

    public EventDto Coverage { get; }

    /// <summary>Set when the event turned red or back, so the organization's counts changed.</summary>
    public MissingCounts? Counts { get; }

    public bool MissingFlipped => Counts is not null;

    public int MessageCount => MissingFlipped ? 2 : 1;

    public static async Task<CoverageChanges> RefreshAsync(AppDbContext db, int organizationId, int eventId, DateTime now, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().Include(x => x.Products).SingleAsync(x => x.Id == eventId, ct);
        var wasMissing = e.IsMissing;
        e.RefreshMissing();
        MissingCounts? counts = null;
        if (e.IsMissing != wasMissing)
        {
            var missing = e.IsMissing;
            await db.Events.Where(x => x.Id == eventId).ExecuteUpdateAsync(s => s.SetProperty(x => x.IsMissing, missing), ct);
            counts = await Snapshots.MissingCountsAsync(db, organizationId, now, ct);
        }

        return new CoverageChanges(Snapshots.ToDto(e, e.Products, await Snapshots.ProductsAsync(db, ct), now), counts);
    }

    public void AddMessages(AppDbContext db, int organizationId, long firstSequence, DateTime now) =>
        db.Outbox.AddRange(Messages(organizationId, firstSequence, now));

    public IEnumerable<OutboxMessage> Messages(int organizationId, long firstSequence, DateTime now)
    {
        var c = Coverage;
        yield return OutboxWriter.Message(organizationId, firstSequence, MessageTypes.EventCoverageChanged, OutboxWriter.EventKey(c.Id), c.Id,
            new EventCoverageChangedMessage(organizationId, firstSequence, c.Id, c.Name, c.Status, c.Missing, c.CountedParticipants,
                c.ActivatedParticipants, c.Products), now);
        if (Counts is not null)
        {
            yield return OutboxWriter.Message(organizationId, firstSequence + 1, MessageTypes.MissingEntitlementsChanged, OutboxWriter.OrganizationKey, null,
                new MissingEntitlementsChangedMessage(organizationId, firstSequence + 1, Counts.LiveEventsMissing, Counts.PastEventsMissing), now);
        }
    }
}
