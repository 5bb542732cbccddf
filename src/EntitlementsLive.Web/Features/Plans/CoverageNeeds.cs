using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Plans;

/// <summary>What a plan covers: live events only or past ones too, and optionally only some products or events.</summary>
public sealed record PlanScope(bool IncludePast, IReadOnlyList<string> ProductCodes, IReadOnlyList<int> EventIds)
{
    public const string Live = "live";
    public const string All = "all";

    public string Name => IncludePast ? All : Live;
}

/// <summary>The figures a plan is made from, read the same way when it is made and again when it is executed.</summary>
public static class CoverageNeeds
{
    public static async Task<CoveragePlan> PlanAsync(AppDbContext db, int organizationId, PlanScope scope, DateTime now, CancellationToken ct)
    {
        var events = db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId).Where(Event.MissingIs(true));
        if (!scope.IncludePast)
        {
            events = events.Where(Event.LiveAt(now));
        }

        if (scope.EventIds.Count > 0)
        {
            var ids = scope.EventIds;
            events = events.Where(e => ids.Contains(e.Id));
        }

        var rows = from e in events
                   join p in db.EventProducts on e.Id equals p.EventId
                   join product in db.Products on p.ProductCode equals product.Code
                   where p.Required > p.Allocated
                   select new { Event = e, p.ProductCode, product.Kind, p.Required, p.Allocated };
        if (scope.ProductCodes.Count > 0)
        {
            var codes = scope.ProductCodes;
            rows = rows.Where(r => codes.Contains(r.ProductCode));
        }

        var needs = (await rows.ToListAsync(ct))
            .Select(r => new CoverageNeed(r.Event.Id, r.Event.Name, r.Event.StartsAt, r.Event.StatusAt(now) == EventStatus.Live, r.ProductCode, r.Kind, r.Required - r.Allocated))
            .ToList();
        var products = needs.Select(n => n.ProductCode).Distinct().ToList();
        var pools = await db.Pools.AsNoTracking().Where(p => p.OrganizationId == organizationId && products.Contains(p.ProductCode))
            .ToDictionaryAsync(p => p.ProductCode, p => p.Available, StringComparer.Ordinal, ct);
        return CoveragePlan.Make(needs, pools);
    }
}
