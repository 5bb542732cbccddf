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
    /// <summary>The most one purchase or one correction may move.</summary>
    public const long MaxQuantity = 10_000_000;

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
    /// Adds <paramref name="quantity"/> (signed for an adjustment) to the pool's purchased and available figures,
    /// refused when available would fall below zero (rule 4), then appends the entry <paramref name="entry"/> builds
    /// from its sequence and the balance after, and pushes the transaction and the pool.
    /// </summary>
    public static async Task<TransactionDto> CreditAsync(AppDbContext db, int organizationId, Product product, long quantity, DateTime now,
        Func<long, long, LedgerEntry> entry, CancellationToken ct)
    {
        var figures = await Sql.ReturningAsync(db, """
            UPDATE "Pools" SET "Purchased" = "Purchased" + @quantity, "Available" = "Available" + @quantity
            WHERE "OrganizationId" = @org AND "ProductCode" = @product AND "Available" + @quantity >= 0
            RETURNING "Purchased", "Transferred", "Available"
            """, r => new[] { r.GetInt64(0), r.GetInt64(1), r.GetInt64(2) }, ct,
            ("@quantity", quantity), ("@org", organizationId), ("@product", product.Code));
        if (figures is null)
        {
            var available = await db.Pools.Where(p => p.OrganizationId == organizationId && p.ProductCode == product.Code)
                .Select(p => (long?)p.Available).SingleOrDefaultAsync(ct);
            if (available is not null || !Pool.CanAdjust(0, quantity))
            {
                throw Pool.AdjustmentRefused(product.Code, quantity, available ?? 0);
            }

            var pool = new Pool(organizationId, product.Code);
            pool.Credit(quantity);
            db.Pools.Add(pool);
            await db.SaveChangesAsync(ct);
            figures = [pool.Purchased, pool.Transferred, pool.Available];
        }

        var after = new PoolDto(product.Code, product.Name, product.Kind, figures[0], figures[1], figures[2]);
        var alerts = await Alerts.AlertChanges.ForPoolAsync(db, organizationId, product.Code, product.Name, after.Purchased, after.Available, now, ct);
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, 2 + alerts.MessageCount, ct);
        var row = entry(sequence, after.Available);
        db.Ledger.Add(row);
        await db.SaveChangesAsync(ct);

        var dto = new TransactionDto(row.Id, sequence, row.Kind, product.Code, product.Name, row.Quantity, null, null, row.Actor, now,
            row.Reference, after.Available, row.Reason);
        await OutboxWriter.InsertAsync(db,
            [LiveMessages.Transaction(organizationId, sequence, dto, now), LiveMessages.Pool(organizationId, sequence + 1, after, now), .. alerts.Messages(organizationId, sequence + 2, now)], ct);
        return dto;
    }
}
