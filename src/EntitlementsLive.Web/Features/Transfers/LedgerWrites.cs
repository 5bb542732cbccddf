using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Alerts;
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
        // The condition is Pool.Covers, spelled in SQL so the update can return the new figures in the same
        // statement; TransferTests checks it accepts exactly what the domain's rule accepts.
        var pool = await Sql.ReturningAsync(db, """
            UPDATE "Pools" SET "Available" = "Available" - @quantity, "Transferred" = "Transferred" + @quantity
            WHERE "OrganizationId" = @org AND "ProductCode" = @product AND "Available" >= @quantity
            RETURNING "Purchased", "Transferred", "Available"
            """, r => new[] { r.GetInt64(0), r.GetInt64(1), r.GetInt64(2) }, ct,
            ("@quantity", quantity), ("@org", organizationId), ("@product", product.Code));
        if (pool is null)
        {
            var available = await db.Pools.Where(p => p.OrganizationId == organizationId && p.ProductCode == product.Code)
                .Select(p => (long?)p.Available).SingleOrDefaultAsync(ct);
            throw Pool.InsufficientBalance(product.Code, quantity, available ?? 0);
        }

        var (purchased, transferred, balance) = (pool[0], pool[1], pool[2]);
        var coverage = await CoverageChanges.ApplyAsync(db, organizationId, eventId, now, change: null, ct);
        var alerts = await AlertChanges.ForPoolAsync(db, organizationId, product.Code, product.Name, purchased, balance, now, ct);
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, 2 + coverage.MessageCount + alerts.MessageCount, ct);
        var entry = LedgerEntry.Transfer(organizationId, eventId, product.Code, quantity, actor, now, balance, key, sequence);
        var id = (await Sql.ReturningAsync(db, """
            INSERT INTO "LedgerEntries" ("OrganizationId", "Sequence", "Kind", "ProductCode", "Quantity", "EventId", "Actor", "CreatedAt", "Reference", "BalanceAfter", "IdempotencyKey", "RequestFingerprint")
            VALUES (@org, @sequence, @kind, @product, @quantity, @event, @actor, @at, NULL, @balance, @key, @fingerprint)
            RETURNING "Id"
            """, r => new[] { r.GetInt64(0) }, ct,
            ("@org", organizationId), ("@sequence", sequence), ("@kind", (int)LedgerKind.Transfer), ("@product", product.Code), ("@quantity", quantity),
            ("@event", eventId), ("@actor", actor), ("@at", now), ("@balance", entry.BalanceAfter), ("@key", key), ("@fingerprint", entry.RequestFingerprint)))![0];

        var dto = new TransactionDto(id, sequence, LedgerKind.Transfer, product.Code, product.Name, quantity, eventId, eventName, actor, now, null, entry.BalanceAfter);
        List<OutboxMessage> messages =
        [
            LiveMessages.Transaction(organizationId, sequence, dto, now),
            LiveMessages.Pool(organizationId, sequence + 1, new PoolDto(product.Code, product.Name, product.Kind, purchased, transferred, balance), now),
            .. coverage.Messages(organizationId, sequence + 2, now),
            .. alerts.Messages(organizationId, sequence + 2 + coverage.MessageCount, now),
        ];
        await OutboxWriter.InsertAsync(db, messages, ct);
        return dto;
    }
}
