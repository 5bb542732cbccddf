using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Transfers;

public sealed record TransferRequest(string? ProductCode, int? Quantity, string? IdempotencyKey);

/// <summary>The transaction recorded, and whether this call recorded it (false: an idempotent repeat).</summary>
public sealed record TransferResult(TransactionDto Transaction, bool Created);

/// <summary>
/// Transfers entitlements from an organization's pool to one of its events: one final ledger row, the
/// pool, the event's allocation and coverage, and the outbox rows, all in one database transaction.
/// </summary>
public sealed class TransferToEvent(AppDbContext db, TimeProvider clock, IChangeNotifier notifier)
{
    public async Task<TransferResult> Handle(int organizationId, int eventId, TransferRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        Product? product = null;
        var quantity = 0;
        if (string.IsNullOrWhiteSpace(request.ProductCode))
        {
            check.Add("productCode", "Choose a product to transfer.");
        }
        else
        {
            product = (await Snapshots.ProductsAsync(db, ct, request.ProductCode)).GetValueOrDefault(request.ProductCode);
            if (product is null)
            {
                check.Add("productCode", $"There is no product {request.ProductCode}.");
            }
            else
            {
                check.Capture(() => quantity = product.ValidateTransferQuantity(request.Quantity));
            }
        }

        var eventName = await db.Events.AsNoTracking()
            .Where(e => e.Id == eventId && e.OrganizationId == organizationId)
            .Select(e => e.Name).SingleOrDefaultAsync(ct) ?? throw Validation.NotFound("The event");
        check.ThrowIfInvalid();

        var key = request.IdempotencyKey!;
        var fingerprint = LedgerEntry.TransferFingerprint(eventId, product!.Code, quantity);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, organizationId, key, fingerprint,
            () => Record(organizationId, eventId, eventName, product, quantity, key, actor, ct), ct);
        if (created)
        {
            notifier.Committed(organizationId);
        }

        return new TransferResult(transaction, created);
    }

    private async Task<TransactionDto> Record(int organizationId, int eventId, string eventName, Product product, int quantity,
        string key, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(organizationId, ct);

        var dto = await LedgerWrites.TransferAsync(db, organizationId, eventId, eventName, product, quantity, actor, key, now, ct);
        await tx.CommitAsync(ct);
        return dto;
    }
}
