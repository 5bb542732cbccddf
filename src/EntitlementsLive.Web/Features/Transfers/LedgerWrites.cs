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
    /// (a module only once), appends the ledger row and its outbox rows (transaction and pool). The caller
    /// refreshes the event's coverage and commits.
    /// </summary>
    public static async Task<TransactionDto> TransferAsync(AppDbContext db, int organizationId, int eventId, string eventName, Product product,
        long quantity, string actor, string key, DateTime now, CancellationToken ct)
    {
        // Rule 4: the balance is held by the update's condition (and a CHECK constraint), whatever runs at the same time.
        var pooled = await db.Pools
            .Where(p => p.OrganizationId == organizationId && p.ProductCode == product.Code && p.Available >= quantity)
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Available, p => p.Available - quantity)
                .SetProperty(p => p.Transferred, p => p.Transferred + quantity), ct);
        if (pooled == 0)
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

        var pool = (await Snapshots.PoolsAsync(db, organizationId, product.Code, ct))[0];
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, 2, ct);
        var entry = LedgerEntry.Transfer(organizationId, eventId, product.Code, quantity, actor, now, pool.Available, key, sequence);
        db.Ledger.Add(entry);
        await db.SaveChangesAsync(ct);

        var dto = new TransactionDto(entry.Id, sequence, "transfer", product.Code, product.Name, quantity, eventId, eventName, actor, now, null, pool.Available);
        db.Outbox.Add(OutboxWriter.Message(organizationId, sequence, MessageTypes.TransactionRecorded, "tx", null,
            new TransactionRecordedMessage(organizationId, sequence, dto), now));
        db.Outbox.Add(OutboxWriter.Message(organizationId, sequence + 1, MessageTypes.PoolBalanceChanged, OutboxWriter.PoolKey(product.Code), null,
            new PoolBalanceChangedMessage(organizationId, sequence + 1, pool.ProductCode, pool.ProductName, pool.Kind, pool.Purchased, pool.Transferred, pool.Available), now));
        return dto;
    }
}
