using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Events;

/// <summary>Rule 9 on every screen: events that ended since the last run move from Live to Past.</summary>
public sealed class AnnouncePastEvents(AppDbContext db, TimeProvider clock, OrganizationWrite write)
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
            var eventIds = organization.Select(e => e.Id).ToList();
            await write.RunAsync(organization.Key, async change =>
            {
                var events = await change.Db.Events.Include(e => e.Products).Where(e => eventIds.Contains(e.Id)).ToListAsync(ct);
                change.Raise(events.Select(e => e.AnnounceEnded()));
                return events.Count;
            }, ct);
        }

        return ended.Count;
    }
}
