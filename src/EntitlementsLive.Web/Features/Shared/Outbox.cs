using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Writes outbox rows inside the caller's transaction. Sequences come from the organization row, so
/// they are gap-free and strictly increasing per organization, on SQLite and PostgreSQL alike.
/// </summary>
public static class OutboxWriter
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reserves <paramref name="count"/> sequences and returns the first.</summary>
    public static async Task<long> ReserveAsync(AppDbContext db, int organizationId, int count, CancellationToken ct)
    {
        await db.Organizations.Where(o => o.Id == organizationId)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LastSequence, o => o.LastSequence + count), ct);
        var last = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.LastSequence).SingleAsync(ct);
        return last - count + 1;
    }

    public static OutboxMessage Message<T>(int organizationId, long sequence, string type, string key, int? eventId, T payload, DateTime now)
        where T : LiveMessage =>
        new(organizationId, sequence, type, key, eventId, JsonSerializer.Serialize(payload with { At = now }, Json), now);

    public static string PoolKey(string productCode) => "pool:" + productCode;

    public static string EventKey(int eventId) => FormattableString.Invariant($"event:{eventId}");

    public const string OrganizationKey = "org";
}
