using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The current figures of pools, events and transactions, read the one way the API, the pages and the
/// live messages all use.
/// </summary>
public static class Snapshots
{
    public static async Task<IReadOnlyList<PoolDto>> PoolsAsync(AppDbContext db, int organizationId, string? productCode, CancellationToken ct)
    {
        var query = from p in db.Pools.AsNoTracking()
                    join pr in db.Products.AsNoTracking() on p.ProductCode equals pr.Code
                    where p.OrganizationId == organizationId
                    select new { p, pr };
        if (productCode is not null)
        {
            query = query.Where(x => x.p.ProductCode == productCode);
        }

        var rows = await query.ToListAsync(ct);
        return rows
            .OrderBy(x => x.pr.Kind).ThenBy(x => x.pr.Name, StringComparer.Ordinal)
            .Select(x => new PoolDto(x.pr.Code, x.pr.Name, x.pr.Kind, x.p.Purchased, x.p.Transferred, x.p.Available))
            .ToList();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyDictionary<string, Product>> Catalogs = new(StringComparer.Ordinal);

    /// <summary>
    /// The product catalog: reference data written once by the seeder, so it is cached per database and
    /// re-read only when a caller meets a code it lacks.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Product>> ProductsAsync(AppDbContext db, CancellationToken ct, string? mustContain = null)
    {
        var key = db.Database.GetConnectionString() ?? "";
        if (Catalogs.TryGetValue(key, out var cached) && cached.Count > 0 && (mustContain is null || cached.ContainsKey(mustContain)))
        {
            return cached;
        }

        var fresh = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Code, StringComparer.Ordinal, ct);
        Catalogs[key] = fresh;
        return fresh;
    }

    /// <summary>After Ops add a product: the next reader re-reads the catalog.</summary>
    public static void ForgetProducts(AppDbContext db) => Catalogs.TryRemove(db.Database.GetConnectionString() ?? "", out _);

    public static EventDto ToDto(Event e, IEnumerable<EventProduct> products, IReadOnlyDictionary<string, Product> catalog, DateTime now) =>
        new(e.Id, e.Name, e.StartsAt, e.EndsAt, e.StatusAt(now), e.IsMissing, e.CountedParticipants,
            e.ActivatedParticipants, Products(products, catalog), e.ExternalRef, e.ProductionStatus, e.TimeZone);

    public static IReadOnlyList<EventProductDto> Products(IEnumerable<EventProduct> products, IReadOnlyDictionary<string, Product> catalog) =>
        products
            .Where(p => p.Required > 0 || p.Allocated > 0 || p.ProductCode == ProductCodes.Subscription)
            .Select(p => (Row: p, Product: catalog[p.ProductCode]))
            .OrderBy(x => x.Product.Kind).ThenBy(x => x.Product.Name, StringComparer.Ordinal)
            .Select(x => new EventProductDto(x.Product.Code, x.Product.Name, x.Product.Kind, x.Row.Required, x.Row.Allocated, x.Row.Missing))
            .ToList();

    public static async Task<EventDto?> EventAsync(AppDbContext db, int organizationId, int eventId, DateTime now, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().Include(x => x.Products)
            .SingleOrDefaultAsync(x => x.Id == eventId && x.OrganizationId == organizationId, ct);
        return e is null ? null : ToDto(e, e.Products, await ProductsAsync(db, ct), now);
    }

    public static async Task<MissingCounts> MissingCountsAsync(AppDbContext db, int organizationId, DateTime now, CancellationToken ct)
    {
        var missing = db.Events.Where(e => e.OrganizationId == organizationId).Where(Event.MissingIs(true));
        var live = await missing.CountAsync(Event.LiveAt(now), ct);
        var past = await missing.CountAsync(Event.PastAt(now), ct);
        return new MissingCounts(live, past);
    }

    /// <summary>Projects ledger rows (already filtered, so filters use the ledger's indexes) newest first.</summary>
    public static IQueryable<TransactionDto> Transactions(AppDbContext db, IQueryable<LedgerEntry> ledger) =>
        from l in ledger.AsNoTracking()
        join pr in db.Products on l.ProductCode equals pr.Code
        join ev in db.Events on l.EventId equals ev.Id into evs
        from ev in evs.DefaultIfEmpty()
        orderby l.Id descending
        select new TransactionDto(l.Id, l.Sequence, l.Kind, l.ProductCode, pr.Name,
            l.Quantity, l.EventId, ev == null ? null : ev.Name, l.Actor, l.CreatedAt, l.Reference, l.BalanceAfter, l.Reason);
}
