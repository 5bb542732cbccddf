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
        var product = await PoolCredits.ProductAsync(db, check, request.ProductCode, "Choose the product purchased.", ct);
        if (request.Quantity is null or <= 0)
        {
            check.Add("quantity", "The quantity must be a positive whole number.");
        }
        else if (request.Quantity > PoolCredits.MaxQuantity)
        {
            check.Add("quantity", $"A purchase is at most {PoolCredits.MaxQuantity:N0} entitlements.");
        }

        var reference = PoolCredits.Reference(check, request.Reference, "Give the contract reference of the purchase (1 to 200 printable characters).");

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
        await using var tx = await db.BeginWriteAsync(organizationId, ct);
        var dto = await PoolCredits.CreditAsync(db, organizationId, product, quantity, now,
            (sequence, balance) => LedgerEntry.Purchase(organizationId, product.Code, quantity, actor, now, reference, balance, key, sequence), ct);
        await tx.CommitAsync(ct);
        return dto;
    }
}
