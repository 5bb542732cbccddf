using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Transfers;

/// <summary>
/// The guarded writes of a transfer, inside the caller's transaction: used by the transfer handler and by
/// auto-cover, so both obey the same rules. Each guard's condition is the domain's own expression.
/// </summary>
public static class LedgerWrites
{
    /// <summary>
    /// Allocates <paramref name="quantity"/> to the event (a module only once), takes it from the pool (refused
    /// when short), appends the ledger row and its outbox rows: the transaction, the pool and the event's
    /// coverage. The caller commits.
    /// </summary>
    public static async Task<TransactionDto> TransferAsync(AppDbContext db, int organizationId, int eventId, string eventName, Product product,
        long quantity, string actor, string key, DateTime now, CancellationToken ct)
    {
        // Rule 6 first, so a module the event already holds is refused for that reason even when the pool is empty.
        var allocated = await db.EventProducts
            .Where(p => p.EventId == eventId && p.ProductCode == product.Code)
            .Where(EventProduct.Accepts(product.Kind))
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

        // Rule 4: the balance is held by the update's condition (and a CHECK constraint), whatever runs at the same time.
        var pools = db.Pools.Where(p => p.OrganizationId == organizationId && p.ProductCode == product.Code);
        var withdrawn = await pools.Where(Pool.Covers(quantity)).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Available, p => p.Available - quantity)
            .SetProperty(p => p.Transferred, p => p.Transferred + quantity), ct);
        var pool = await pools.AsNoTracking().Select(p => new { p.Purchased, p.Transferred, p.Available }).SingleOrDefaultAsync(ct);
        if (withdrawn == 0)
        {
            throw Pool.InsufficientBalance(product.Code, quantity, pool?.Available ?? 0);
        }

        var coverage = await CoverageChanges.ApplyAsync(db, organizationId, eventId, now, change: null, ct);
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, 2 + coverage.MessageCount, ct);
        var entry = LedgerEntry.Transfer(organizationId, eventId, product.Code, quantity, actor, now, pool!.Available, key, sequence);
        var id = (await Sql.ReturningAsync(db, """
            INSERT INTO LedgerEntries (OrganizationId, Sequence, Kind, ProductCode, Quantity, EventId, Actor, CreatedAt, Reference, BalanceAfter, IdempotencyKey, RequestFingerprint)
            VALUES (@org, @sequence, @kind, @product, @quantity, @event, @actor, @at, NULL, @balance, @key, @fingerprint)
            RETURNING Id
            """, r => new[] { r.GetInt64(0) }, ct,
            ("@org", organizationId), ("@sequence", sequence), ("@kind", (int)LedgerKind.Transfer), ("@product", product.Code), ("@quantity", quantity),
            ("@event", eventId), ("@actor", actor), ("@at", now), ("@balance", entry.BalanceAfter), ("@key", key), ("@fingerprint", entry.RequestFingerprint)))![0];

        var dto = new TransactionDto(id, sequence, LedgerKind.Transfer, product.Code, product.Name, quantity, eventId, eventName, actor, now, null, entry.BalanceAfter);
        List<OutboxMessage> messages =
        [
            LiveMessages.Transaction(organizationId, sequence, dto, now),
            LiveMessages.Pool(organizationId, sequence + 1, new PoolDto(product.Code, product.Name, product.Kind, pool.Purchased, pool.Transferred, pool.Available), now),
            .. coverage.Messages(organizationId, sequence + 2, now),
        ];
        await OutboxWriter.InsertAsync(db, messages, ct);
        return dto;
    }
}
