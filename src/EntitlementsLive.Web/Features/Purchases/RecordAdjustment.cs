using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Purchases;

public sealed record AdjustmentRequest(string? ProductCode, long? Quantity, string? Reason, string? Reference, string? IdempotencyKey);

/// <summary>
/// Rule 10: Ops correct a purchase recorded wrong with a compensating entry and a reason; nothing is ever
/// edited. Refused when it would make the pool's available balance negative (rule 4).
/// </summary>
public sealed class RecordAdjustment(AppDbContext db, OrganizationWrite write)
{
    public async Task<PurchaseResult> Handle(int organizationId, AdjustmentRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        var product = await PoolCredits.ProductAsync(db, check, request.ProductCode, "Choose the product to correct.", ct);
        // Rule 10's own checks, from the domain (the entry refuses itself the same way).
        if (LedgerEntry.AdjustmentQuantityRefusal(request.Quantity) is { } quantityRefusal)
        {
            check.Add("quantity", quantityRefusal);
        }

        var reason = request.Reason?.Trim();
        if (LedgerEntry.AdjustmentReasonRefusal(reason) is { } reasonRefusal)
        {
            check.Add("reason", reasonRefusal);
        }

        var reference = PoolCredits.Reference(check, request.Reference, "Give the contract reference the correction applies to (1 to 200 printable characters).");

        await PoolCredits.OrganizationAsync(db, organizationId, ct);
        check.ThrowIfInvalid();

        var amount = request.Quantity!.Value;
        var key = request.IdempotencyKey!;
        var fingerprint = LedgerEntry.AdjustmentFingerprint(product!.Code, amount, reason!, reference!);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, write, organizationId, key, fingerprint, change => PoolCredits.CreditAsync(change, product, amount,
            balance => LedgerEntry.Adjustment(organizationId, product.Code, amount, actor, change.Now, reason!, reference!, balance, key, 0), ct),
            entry => LiveMessages.Transaction(entry, product.Name, null), ct);
        return new PurchaseResult(transaction, created);
    }
}
