using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Purchases;

public sealed record PurchaseRequest(string? ProductCode, long? Quantity, string? Reference, string? IdempotencyKey);

public sealed record PurchaseResult(TransactionDto Transaction, bool Created);

/// <summary>Ops credit an organization's pool from a contract: one final ledger row and the pool, in one transaction.</summary>
public sealed class RecordPurchase(AppDbContext db, OrganizationWrite write)
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
        else if (request.Quantity > LedgerEntry.MaxCredit)
        {
            check.Add("quantity", $"A purchase is at most {LedgerEntry.MaxCredit:N0} entitlements.");
        }

        var reference = PoolCredits.Reference(check, request.Reference, "Give the contract reference of the purchase (1 to 200 printable characters).");

        await PoolCredits.OrganizationAsync(db, organizationId, ct);

        check.ThrowIfInvalid();
        var quantity = request.Quantity!.Value;
        var key = request.IdempotencyKey!;
        var fingerprint = LedgerEntry.PurchaseFingerprint(product!.Code, quantity, reference!);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, write, organizationId, key, fingerprint, change => PoolCredits.CreditAsync(change, product, quantity,
            balance => LedgerEntry.Purchase(organizationId, product.Code, quantity, actor, change.Now, reference!, balance, key, 0), ct),
            entry => LiveMessages.Transaction(entry, product.Name, null), ct);
        return new PurchaseResult(transaction, created);
    }
}
