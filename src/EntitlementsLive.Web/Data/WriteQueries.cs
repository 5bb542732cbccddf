using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// The reads of the write path, compiled once (EF Core's per-query translation costs more than the query here) or run
/// plain where no aggregate is built from them.
/// </summary>
public static class WriteQueries
{
    private static readonly Func<AppDbContext, int, int, Task<string?>> EventName = EF.CompileAsyncQuery((AppDbContext db, int org, int id) =>
        db.Events.Where(e => e.Id == id && e.OrganizationId == org).Select(e => e.Name).SingleOrDefault());

    private static readonly Func<AppDbContext, int, string, Task<LedgerEntry?>> EntryByKey = EF.CompileAsyncQuery((AppDbContext db, int org, string key) =>
        db.Ledger.AsNoTracking().SingleOrDefault(l => l.OrganizationId == org && l.IdempotencyKey == key));

    /// <summary>
    /// An event with its products, untracked (the guarded updates write it), inside the caller's transaction: two plain
    /// statements read by the model's mapping (<see cref="ModelRows{T}"/>), its products in EF Core's Include order.
    /// </summary>
    public static async Task<Event?> EventAsync(AppDbContext db, int organizationId, int eventId, CancellationToken ct)
    {
        var events = ModelRows.Of<Event>(db);
        if (await Sql.ReturningAsync(db, events.Select("""WHERE "Id" = @id AND "OrganizationId" = @org"""), r => new[] { events.Read(r) }, ct,
                ("@id", eventId), ("@org", organizationId)) is not [var e])
        {
            return null;
        }

        var products = ModelRows.Of<EventProduct>(db);
        events.Include(e, nameof(Event.Products), await Sql.RowsAsync(db, products.Select("""WHERE "EventId" = @id ORDER BY "ProductCode" """), r => products.Read(r), ct, ("@id", eventId)));
        return e;
    }

    public static Task<string?> EventNameAsync(AppDbContext db, int organizationId, int eventId) => EventName(db, organizationId, eventId);

    /// <summary>The ledger row a key recorded (rule 7), if any.</summary>
    public static Task<LedgerEntry?> EntryAsync(AppDbContext db, int organizationId, string key) => EntryByKey(db, organizationId, key);

    /// <summary>Whether the organization recorded a ledger row with this key (rule 7), inside the caller's transaction.</summary>
    public static async Task<bool> KeyRecordedAsync(AppDbContext db, int organizationId, string key, CancellationToken ct) =>
        await Sql.ReturningAsync(db, """SELECT 1 FROM "LedgerEntries" WHERE "OrganizationId" = @org AND "IdempotencyKey" = @key""",
            r => new[] { r.GetInt32(0) }, ct, ("@org", organizationId), ("@key", key)) is not null;

    /// <summary>A pool as stored, inside the caller's transaction; null when the organization never bought the product.</summary>
    public static async Task<Pool?> PoolAsync(AppDbContext db, int organizationId, string productCode, CancellationToken ct) =>
        await Sql.ReturningAsync(db, """SELECT "Purchased", "Transferred", "Available" FROM "Pools" WHERE "OrganizationId" = @org AND "ProductCode" = @product""",
            r => new[] { r.GetInt64(0), r.GetInt64(1), r.GetInt64(2) }, ct, ("@org", organizationId), ("@product", productCode)) is { } f
            ? Pool.Of(organizationId, productCode, f[0], f[1], f[2])
            : null;

    /// <summary>Whether the pool has levels at all: most have none, and then no alert can move.</summary>
    public static async Task<bool> HasThresholdsAsync(AppDbContext db, int organizationId, string productCode, CancellationToken ct) =>
        await Sql.ReturningAsync(db, """SELECT 1 FROM "PoolThresholds" WHERE "OrganizationId" = @org AND "ProductCode" = @product LIMIT 1""",
            r => new[] { r.GetInt32(0) }, ct, ("@org", organizationId), ("@product", productCode)) is not null;
}
