using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Forecasts;

/// <summary>
/// The <c>pool-projected-short</c> alerts (rules 13 and 14): raised once when a pool's projection first says it will not
/// cover the live events at their start, resolved when it covers them again — on screen, in the Alerts list and to
/// webhooks through the alert machinery. Run by the minutely job; an organization is written to only when an alert moves.
/// </summary>
public sealed class SweepProjectedShortfalls(AppDbContext db, ForecastQueries forecasts, OrganizationWrite write, TimeProvider clock)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var candidates = await db.Organizations.AsNoTracking().Where(Organization.EntitlementsWork).Select(o => o.Id)
            .Union(db.Alerts.Where(a => a.Kind == AlertKind.PoolProjectedShort && a.OpenKey != null).Select(a => a.OrganizationId))
            .ToListAsync(ct);
        var changed = 0;
        foreach (var organizationId in candidates.Distinct())
        {
            changed += await ForOrganization(organizationId, ct);
        }

        return changed;
    }

    public async Task<int> ForOrganization(int organizationId, CancellationToken ct)
    {
        var projections = (await forecasts.ForOrganization(organizationId, ct)).Pools;
        var catalog = await Snapshots.ProductsAsync(db, ct);
        string NameOf(string code) => catalog.TryGetValue(code, out var p) ? p.Name : code;

        // Decided first on what is read now; the write decides again under the organization's lock.
        var open = await OpenAsync(db, organizationId, ct);
        if (AlertBook.SettleProjections(organizationId, projections, open, NameOf, clock.GetUtcNow().UtcDateTime).Count == 0)
        {
            return 0;
        }

        return await write.RunAsync(organizationId, async change =>
        {
            var settled = AlertBook.SettleProjections(organizationId, projections, await OpenAsync(change.Db, organizationId, ct, tracked: true), NameOf, change.Now);
            change.Raise(AlertChanges.Added(change.Db, settled));
            return settled.Count;
        }, ct);
    }

    private static Task<List<Alert>> OpenAsync(AppDbContext db, int organizationId, CancellationToken ct, bool tracked = false)
    {
        var alerts = db.Alerts.Where(a => a.OrganizationId == organizationId && a.Kind == AlertKind.PoolProjectedShort && a.OpenKey != null);
        return (tracked ? alerts : alerts.AsNoTracking()).ToListAsync(ct);
    }
}
