using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Purchases;

/// <summary>
/// What purchases and adjustments share: the organization they credit (it must use entitlements), and the
/// guarded credit of its pool with the ledger row and its outbox rows, in the caller's transaction.
/// </summary>
public static class PoolCredits
{
    /// <summary>The product the request names, from the catalog; why not, into <paramref name="check"/>.</summary>
    public static async Task<Product?> ProductAsync(AppDbContext db, Validation check, string? code, string whenMissing, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            check.Add("productCode", whenMissing);
            return null;
        }

        var product = (await Snapshots.ProductsAsync(db, ct, code)).GetValueOrDefault(code);
        if (product is null)
        {
            check.Add("productCode", $"There is no product {code}.");
        }

        return product;
    }

    /// <summary>The contract reference both carry: printable, at most 200 characters.</summary>
    public static string? Reference(Validation check, string? text, string whenInvalid)
    {
        var reference = text?.Trim();
        if (!Text.IsPrintable(reference, 200))
        {
            check.Add("reference", whenInvalid);
        }

        return reference;
    }

    public static async Task<Organization> OrganizationAsync(AppDbContext db, int organizationId, CancellationToken ct) =>
        (await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, ct) ?? throw Validation.NotFound("The organization"))
        .EnsureEntitlementsActivated();

    /// <summary>
    /// Inside a change of the organization: credits <paramref name="quantity"/> (signed for an adjustment) to the pool's
    /// purchased and available figures, refused by the pool when available would fall below zero (rules 4 and 10), then
    /// records the entry <paramref name="entry"/> builds from the balance after.
    /// </summary>
    public static async Task<LedgerEntry> CreditAsync(OrganizationChange change, Product product, long quantity, Func<long, LedgerEntry> entry, CancellationToken ct)
    {
        var db = change.Db;
        var pool = await WriteQueries.PoolAsync(db, change.OrganizationId, product.Code, ct);
        PoolCredited credited;
        if (pool is null)
        {
            pool = new Pool(change.OrganizationId, product.Code);
            credited = pool.Credit(quantity);
            db.Pools.Add(pool);
        }
        else
        {
            credited = pool.Credit(quantity);
            if (await Sql.ReturningAsync(db, LedgerGuards.For(db).Credit, r => new[] { r.GetInt64(2) }, ct,
                    ("@value", quantity), ("@org", change.OrganizationId), ("@product", product.Code)) is not [var available] || available != credited.Available)
            {
                throw Pool.AdjustmentRefused(product.Code, quantity, pool.Available - quantity);
            }
        }

        var row = entry(credited.Available);
        change.Raise(new LedgerEntryRecorded(row, null));
        change.Raise(credited);
        change.Raise(await Alerts.AlertChanges.ForPoolAsync(change, product.Code, product.Name, credited.Purchased, credited.Available, ct));
        return row;
    }
}
