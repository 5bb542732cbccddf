using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Purchases;

public sealed record AdjustmentRequest(string? ProductCode, long? Quantity, string? Reason, string? Reference, string? IdempotencyKey);

/// <summary>
/// Rule 10: Ops correct a purchase recorded wrong with a compensating entry and a reason; nothing is ever
/// edited. Refused when it would make the pool's available balance negative (rule 4).
/// </summary>
public sealed class RecordAdjustment(AppDbContext db, TimeProvider clock, IChangeNotifier notifier)
{
    public async Task<PurchaseResult> Handle(int organizationId, AdjustmentRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        var product = await PoolCredits.ProductAsync(db, check, request.ProductCode, "Choose the product to correct.", ct);
        if (request.Quantity is not { } quantity || quantity == 0 || Math.Abs(quantity) > PoolCredits.MaxQuantity)
        {
            check.Add("quantity", $"The correction is a whole number between -{PoolCredits.MaxQuantity:N0} and {PoolCredits.MaxQuantity:N0}, not zero (negative lowers the pool).");
        }

        var reason = request.Reason?.Trim();
        if (!Text.IsPrintable(reason, 500))
        {
            check.Add("reason", "Say why the purchase is corrected (1 to 500 printable characters).");
        }

        var reference = PoolCredits.Reference(check, request.Reference, "Give the contract reference the correction applies to (1 to 200 printable characters).");

        await PoolCredits.OrganizationAsync(db, organizationId, ct);
        check.ThrowIfInvalid();

        var amount = request.Quantity!.Value;
        var key = request.IdempotencyKey!;
        var fingerprint = LedgerEntry.AdjustmentFingerprint(product!.Code, amount, reason!, reference!);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, organizationId, key, fingerprint, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using var tx = await db.BeginWriteAsync(organizationId, ct);
            var dto = await PoolCredits.CreditAsync(db, organizationId, product, amount, now,
                (sequence, balance) => LedgerEntry.Adjustment(organizationId, product.Code, amount, actor, now, reason!, reference!, balance, key, sequence), ct);
            await tx.CommitAsync(ct);
            return dto;
        }, ct);
        if (created)
        {
            notifier.Committed(organizationId);
        }

        return new PurchaseResult(transaction, created);
    }
}
