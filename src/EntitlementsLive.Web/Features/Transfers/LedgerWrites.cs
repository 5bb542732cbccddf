using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Transfers;

/// <summary>
/// The guarded writes of a transfer, inside the caller's transaction: used by the transfer handler and by
/// auto-cover, so both obey the same rules.
/// </summary>
public static class LedgerWrites
{
    /// <summary>
    /// Takes <paramref name="quantity"/> from the pool (refused when short), allocates it to the event
    /// (a module only once), appends the ledger row and its outbox rows: the transaction, the pool and,
    /// with <paramref name="withCoverage"/>, the event's coverage. The caller saves and commits.
    /// </summary>
    public static async Task<TransactionDto> TransferAsync(AppDbContext db, int organizationId, int eventId, string eventName, Product product,
        long quantity, string actor, string key, DateTime now, bool withCoverage, CancellationToken ct)
    {
        // Rule 4: the balance is held by the update's condition (and a CHECK constraint), whatever runs at the same time.
        var pool = await Sql.ReturningAsync(db, """
            UPDATE Pools SET Available = Available - @quantity, Transferred = Transferred + @quantity
            WHERE OrganizationId = @org AND ProductCode = @product AND Available >= @quantity
            RETURNING Purchased, Transferred, Available
            """, r => new[] { r.GetInt64(0), r.GetInt64(1), r.GetInt64(2) }, ct,
            ("@quantity", quantity), ("@org", organizationId), ("@product", product.Code));
        if (pool is null)
        {
            var available = await db.Pools
                .Where(p => p.OrganizationId == organizationId && p.ProductCode == product.Code)
                .Select(p => (long?)p.Available).SingleOrDefaultAsync(ct) ?? 0;
            throw Pool.InsufficientBalance(product.Code, quantity, available);
        }

        // Rule 6: a module an event already holds is refused, guarded by the update's condition.
        var isModule = product.Kind == ProductKind.Module;
        var allocated = await db.EventProducts
            .Where(p => p.EventId == eventId && p.ProductCode == product.Code && (!isModule || p.Allocated == 0))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Allocated, p => p.Allocated + quantity), ct);
        if (allocated == 0)
        {
            if (await db.EventProducts.AnyAsync(p => p.EventId == eventId && p.ProductCode == product.Code, ct))
            {
                throw Event.ModuleAlreadyAllocated(product.Code, eventName);
            }

            db.EventProducts.Add(EventProduct.ForEvent(eventId, product.Code, required: 0, allocated: quantity));
            await db.SaveChangesAsync(ct);
        }

        var coverage = withCoverage ? await CoverageChanges.RefreshAsync(db, organizationId, eventId, now, ct) : null;
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, 2 + (coverage?.MessageCount ?? 0), ct);
        var (purchased, transferred, balance) = (pool[0], pool[1], pool[2]);
        var entry = LedgerEntry.Transfer(organizationId, eventId, product.Code, quantity, actor, now, balance, key, sequence);
        var id = (await Sql.ReturningAsync(db, """
            INSERT INTO LedgerEntries (OrganizationId, Sequence, Kind, ProductCode, Quantity, EventId, Actor, CreatedAt, Reference, BalanceAfter, IdempotencyKey, RequestFingerprint)
            VALUES (@org, @sequence, @kind, @product, @quantity, @event, @actor, @at, NULL, @balance, @key, @fingerprint)
            RETURNING Id
            """, r => new[] { r.GetInt64(0) }, ct,
            ("@org", organizationId), ("@sequence", sequence), ("@kind", (int)LedgerKind.Transfer), ("@product", product.Code), ("@quantity", quantity),
            ("@event", eventId), ("@actor", actor), ("@at", now), ("@balance", balance), ("@key", key), ("@fingerprint", entry.RequestFingerprint)))![0];

        var dto = new TransactionDto(id, sequence, "transfer", product.Code, product.Name, quantity, eventId, eventName, actor, now, null, balance);
        List<OutboxMessage> messages =
        [
            OutboxWriter.Message(organizationId, sequence, MessageTypes.TransactionRecorded, "tx", null, new TransactionRecordedMessage(organizationId, sequence, dto), now),
            OutboxWriter.Message(organizationId, sequence + 1, MessageTypes.PoolBalanceChanged, OutboxWriter.PoolKey(product.Code), null,
                new PoolBalanceChangedMessage(organizationId, sequence + 1, product.Code, product.Name, Names.Kind(product.Kind), purchased, transferred, balance), now),
        ];
        if (coverage is not null)
        {
            messages.AddRange(coverage.Messages(organizationId, sequence + 2, now));
        }

        await OutboxWriter.InsertAsync(db, messages, ct);
        return dto;
    }
}
