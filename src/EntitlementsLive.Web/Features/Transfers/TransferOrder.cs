using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Transfers;

/// <summary>
/// One transfer from the organization's pool to one of its events, inside a change of the organization: used by the
/// transfer handler and by auto-cover, so both obey the same rules. The event decides rule 6 and the pool rule 4;
/// each guarded update's condition is the domain's own expression.
/// </summary>
public sealed record TransferOrder(int EventId, Product Product, long Quantity, string Actor, string IdempotencyKey)
{
    /// <summary>Allocates to the event, debits the pool and records the final ledger row, raising what changed.</summary>
    public async Task<LedgerEntry> ApplyAsync(OrganizationChange change, CancellationToken ct)
    {
        var db = change.Db;
        var guards = LedgerGuards.For(db);
        var e = await WriteQueries.EventAsync(db, change.OrganizationId, EventId, ct) ?? throw Validation.NotFound("The event");
        var held = e.Products.Any(p => p.ProductCode == Product.Code);
        var wasMissing = e.IsMissing;

        // Rule 6 first, so a module the event already holds is refused for that reason even when the pool is empty.
        var coverage = e.Allocate(Product, Quantity);
        if (!held)
        {
            db.EventProducts.Add(EventProduct.ForEvent(EventId, Product.Code, required: 0, allocated: Quantity));
        }
        else if (await Sql.ExecuteAsync(db, guards.Allocate(Product.Kind), ct, ("@value", Quantity), ("@event", EventId), ("@product", Product.Code)) == 0)
        {
            throw Event.ModuleAlreadyAllocated(Product.Code, e.Name);
        }

        if (e.IsMissing != wasMissing)
        {
            await Sql.ExecuteAsync(db, """UPDATE "Events" SET "IsMissing" = @missing WHERE "Id" = @event""", ct, ("@missing", e.IsMissing), ("@event", EventId));
        }

        // Rule 4: the pool decides, and its guarded update holds the balance whatever runs at the same time (a CHECK
        // constraint too). TransferTests checks the SQL guard accepts exactly what the domain accepts.
        var pool = await WriteQueries.PoolAsync(db, change.OrganizationId, Product.Code, ct) ?? throw Pool.InsufficientBalance(Product.Code, Quantity, 0);
        var debited = pool.Debit(Quantity);
        if (await Sql.ReturningAsync(db, guards.Debit, r => new[] { r.GetInt64(2) }, ct,
                ("@value", Quantity), ("@org", change.OrganizationId), ("@product", Product.Code)) is not [var available] || available != debited.Available)
        {
            throw Pool.InsufficientBalance(Product.Code, Quantity, pool.Available + Quantity);
        }

        var entry = LedgerEntry.Transfer(change.OrganizationId, EventId, Product.Code, Quantity, Actor, change.Now, debited.Available, IdempotencyKey, 0);
        change.Raise(new LedgerEntryRecorded(entry, e.Name));
        change.Raise(debited);
        await CoverageChanges.RaiseAsync(change, coverage, wasMissing, ct);
        change.Raise(await AlertChanges.ForPoolAsync(change, Product.Code, Product.Name, debited.Purchased, debited.Available, ct));
        return entry;
    }
}
