using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace EntitlementsLive.Web.Features.Pools;

/// <summary>What events need and hold of one product, summed over the organization's events.</summary>
public sealed record ProductConsumption(string ProductCode, string ProductName, ProductKind Kind, long Purchased, long Allocated, long Required, long Missing);

/// <summary>The "My Organization Entitlements" tab: each purchased product's pool and its consumption.</summary>
public sealed class PoolQueries(AppDbContext db, IMemoryCache cache)
{
    public Task<IReadOnlyList<PoolDto>> List(int organizationId, CancellationToken ct) => Snapshots.PoolsAsync(db, organizationId, null, ct);

    /// <summary>
    /// Sums over every event of the organization, so it is kept per organization and sequence: any change
    /// that moves these figures also moves the sequence, and every admin's screen shares one computation.
    /// </summary>
    public async Task<IReadOnlyList<ProductConsumption>> Consumption(int organizationId, CancellationToken ct)
    {
        var sequence = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.LastSequence).SingleAsync(ct);
        var key = FormattableString.Invariant($"consumption:{db.Database.GetConnectionString()}:{organizationId}:{sequence}");
        if (cache.TryGetValue(key, out IReadOnlyList<ProductConsumption>? cached) && cached is not null)
        {
            return cached;
        }

        var fresh = await Compute(organizationId, ct);
        cache.Set(key, fresh, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(2), Size = 1 });
        return fresh;
    }

    private async Task<IReadOnlyList<ProductConsumption>> Compute(int organizationId, CancellationToken ct)
    {
        var pools = await List(organizationId, ct);
        var rows = from p in db.EventProducts
                   join e in db.Events on p.EventId equals e.Id
                   where e.OrganizationId == organizationId
                   select p;
        var sums = await rows.GroupBy(p => p.ProductCode)
            .Select(g => new { Code = g.Key, Required = g.Sum(x => x.Required), Allocated = g.Sum(x => x.Allocated) })
            .ToDictionaryAsync(x => x.Code, ct);
        var missing = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var code in sums.Keys)
        {
            // Rule 3 summed in the database with the domain's own expression (a few products: one query each).
            missing[code] = await rows.Where(p => p.ProductCode == code).SumAsync(EventProduct.MissingOf, ct);
        }

        return pools.Select(p =>
        {
            var s = sums.GetValueOrDefault(p.ProductCode);
            return new ProductConsumption(p.ProductCode, p.ProductName, p.Kind, p.Purchased, s?.Allocated ?? 0, s?.Required ?? 0, missing.GetValueOrDefault(p.ProductCode));
        }).ToList();
    }

    /// <summary>The newest transactions of each product, for the expandable rows.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<TransactionDto>>> RecentByProduct(int organizationId, IEnumerable<string> productCodes, int take, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlyList<TransactionDto>>(StringComparer.Ordinal);
        foreach (var code in productCodes)
        {
            result[code] = await Snapshots.Transactions(db, db.Ledger.Where(l => l.OrganizationId == organizationId && l.ProductCode == code))
                .Take(take).ToListAsync(ct);
        }

        return result;
    }
}
