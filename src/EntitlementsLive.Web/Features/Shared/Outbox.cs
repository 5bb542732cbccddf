using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The one path that writes outbox rows, inside the caller's transaction. Sequences come from the organization row, so
/// they are gap-free and strictly increasing per organization, on SQLite and PostgreSQL alike.
/// </summary>
public static class OutboxWriter
{
    public static readonly JsonSerializerOptions Json = JsonContract.Options;

    /// <summary>Reserves <paramref name="count"/> sequences and returns the first.</summary>
    public static async Task<long> ReserveAsync(AppDbContext db, int organizationId, int count, CancellationToken ct)
    {
        // The row lock of this update is what orders concurrent writers of one organization.
        var last = await Sql.ReturningAsync(db, """UPDATE "Organizations" SET "LastSequence" = "LastSequence" + @count WHERE "Id" = @org RETURNING "LastSequence" """,
            r => new[] { r.GetInt64(0) }, ct, ("@count", count), ("@org", organizationId))
            ?? throw new InvalidOperationException($"Organization {organizationId} does not exist.");
        return last[0] - count + 1;
    }

    public static OutboxMessage Message<T>(int organizationId, long sequence, string type, string key, int? eventId, T payload, DateTime now)
        where T : LiveMessage =>
        new(organizationId, sequence, type, key, eventId, JsonSerializer.Serialize(payload with { At = now }, Json), now);

    /// <summary>Inserts outbox rows with one statement, in the caller's transaction.</summary>
    public static async Task InsertAsync(AppDbContext db, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        var sql = new System.Text.StringBuilder("""INSERT INTO "Outbox" ("OrganizationId", "Sequence", "Type", "Key", "EventId", "Payload", "CreatedAt") VALUES """);
        var parameters = new List<(string, object)>(rows.Count * 7);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            sql.Append(i == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@o{i}, @s{i}, @t{i}, @k{i}, @e{i}, @p{i}, @c{i})");
            parameters.Add(($"@o{i}", r.OrganizationId));
            parameters.Add(($"@s{i}", r.Sequence));
            parameters.Add(($"@t{i}", r.Type));
            parameters.Add(($"@k{i}", r.Key));
            parameters.Add(($"@e{i}", (object?)r.EventId ?? DBNull.Value));
            parameters.Add(($"@p{i}", r.Payload));
            parameters.Add(($"@c{i}", r.CreatedAt));
        }

        await Sql.ExecuteAsync(db, sql.ToString(), ct, [.. parameters]);
    }

    public static string PoolKey(string productCode) => "pool:" + productCode;

    public static string EventKey(int eventId) => FormattableString.Invariant($"event:{eventId}");

    public const string OrganizationKey = "org";

    /// <summary>Transactions are appended, never replaced; their key is never coalesced.</summary>
    public const string TransactionKey = "tx";

    /// <summary>Alerts are appended too: a raise and its resolution both reach the screen.</summary>
    public const string AlertKey = "alert";
}
