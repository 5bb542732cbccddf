using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Events;

/// <summary>Rule 9 on every screen: events that ended since the last run move from Live to Past.</summary>
public sealed class AnnouncePastEvents(AppDbContext db, TimeProvider clock, IChangeNotifier notifier)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ended = await db.Events.AsNoTracking()
            .Where(Event.EndedUnannounced(now))
            .Where(e => db.Organizations.Where(Organization.EntitlementsWork).Any(o => o.Id == e.OrganizationId))
            .Select(e => new { e.Id, e.OrganizationId }).ToListAsync(ct);
        foreach (var organization in ended.GroupBy(e => e.OrganizationId))
        {
            await Announce(organization.Key, organization.Select(e => e.Id).ToList(), now, ct);
            notifier.Committed(organization.Key);
        }

        return ended.Count;
    }

    private async Task Announce(int organizationId, List<int> eventIds, DateTime now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.BeginWriteAsync(organizationId, ct);
        var events = await db.Events.Include(e => e.Products).Where(e => eventIds.Contains(e.Id)).ToListAsync(ct);
        foreach (var e in events)
        {
            e.AnnouncePast();
        }

        await db.SaveChangesAsync(ct);
        var catalog = await Snapshots.ProductsAsync(db, ct);
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, events.Count + 1, ct);
        var messages = events.Select((e, i) => LiveMessages.Coverage(organizationId, sequence + i, Snapshots.ToDto(e, e.Products, catalog, now), now)).ToList();
        messages.Add(LiveMessages.Missing(organizationId, sequence + events.Count, await Snapshots.MissingCountsAsync(db, organizationId, now, ct), now));
        await OutboxWriter.InsertAsync(db, messages, ct);
        await tx.CommitAsync(ct);
    }
}
