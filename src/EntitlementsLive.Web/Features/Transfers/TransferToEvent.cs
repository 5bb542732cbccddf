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
/// pool, the event's allocation and coverage, and the outbox rows, all in one change of the organization.
/// </summary>
public sealed class TransferToEvent(AppDbContext db, OrganizationWrite write)
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

        if (!check.IsValid)
        {
            // An unknown event is answered as such before what is wrong with the request. A valid request learns it from the
            // change itself, which reads the event anyway (its name comes back with it).
            _ = await WriteQueries.EventNameAsync(db, organizationId, eventId) ?? throw Validation.NotFound("The event");
            check.ThrowIfInvalid();
        }

        var order = new TransferOrder(eventId, product!, quantity, actor, request.IdempotencyKey!);
        var (transaction, created) = await Idempotency.RecordOnceAsync(db, write, organizationId, order.IdempotencyKey,
            LedgerEntry.TransferFingerprint(eventId, product!.Code, quantity),
            async change =>
            {
                var entry = await order.ApplyAsync(change, ct);
                return (Entry: entry, EventName: change.Events.OfType<LedgerEntryRecorded>().Single(r => r.Entry == entry).EventName);
            },
            recorded => LiveMessages.Transaction(recorded.Entry, product.Name, recorded.EventName), ct);
        return new TransferResult(transaction, created);
    }
}
