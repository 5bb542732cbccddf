using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Purchases;

public sealed record PurchaseRequest(string? ProductCode, long? Quantity, string? Reference, string? IdempotencyKey);

public sealed record PurchaseResult(TransactionDto Transaction, bool Created);

/// <summary>Ops credit an organization's pool from a contract: one final ledger row and the pool, in one transaction.</summary>
public sealed class RecordPurchase(AppDbContext db, TimeProvider clock, IChangeNotifier notifier)
{
    public async Task<PurchaseResult> Handle(int organizationId, PurchaseRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        Product? product = null;
        if (string.IsNullOrWhiteSpace(request.ProductCode))
        {
            check.Add("productCode", "Choose the product purchased.");
        }
        else if ((product = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Code == request.ProductCode, ct)) is null)
        {
            check.Add("productCode", $"There is no product {request.ProductCode}.");
        }

        if (request.Quantity is null or <= 0)
        {
            check.Add("quantity", "The quantity must be a positive whole number.");
        }
        else if (request.Quantity > 10_000_000)
        {
            check.Add("quantity", "A purchase is at most 10,000,000 entitlements.");
        }

        var reference = request.Reference?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            check.Add("reference", "Give the contract reference of the purchase.");
        }
        else if (!Text.IsPrintable(reference, 200))
        {
            check.Add("reference", "The reference must be at most 200 printable characters.");
        }

        await PoolCredits.OrganizationAsync(db, organizationId, ct);

        check.ThrowIfInvalid();
        var quantity = request.Quantity!.Value;
        var key = request.IdempotencyKey!;
        var fingerprint = LedgerEntry.PurchaseFingerprint(product!.Code, quantity, reference!);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, organizationId, key, fingerprint,
            () => Record(organizationId, product, quantity, reference!, key, actor, ct), ct);
        if (created)
        {
            notifier.Committed(organizationId);
        }

        return new PurchaseResult(transaction, created);
    }

    private async Task<TransactionDto> Record(int organizationId, Product product, long quantity, string reference, string key, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginWriteAsync(ct);
        var dto = await PoolCredits.CreditAsync(db, organizationId, product, quantity, now,
            (sequence, balance) => LedgerEntry.Purchase(organizationId, product.Code, quantity, actor, now, reference, balance, key, sequence), ct);
        await tx.CommitAsync(ct);
        return dto;
    }
}
