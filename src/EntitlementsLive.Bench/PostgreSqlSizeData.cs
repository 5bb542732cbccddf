using EntitlementsLive.Domain;
using Npgsql;
using NpgsqlTypes;

namespace EntitlementsLive.Bench;

/// <summary>
/// The pages scenario's data on PostgreSQL: the same rows as the SQLite generator (<see cref="PagesScenario"/>),
/// written by the server itself (generate_series) and the big event by binary COPY; then <see cref="VacuumAnalyze"/>.
/// </summary>
public static class PostgreSqlSizeData
{
    public static async Task<(int SampleEvent, long LastLedgerId)> Generate(string file, int org, int eventCount, int participantCount, int ledgerRows)
    {
        await using var connection = new NpgsqlConnection(BenchDatabase.ConnectionString(file));
        await connection.OpenAsync();
        var now = Clock.UtcNow;
        var perEvent = participantCount / eventCount;
        await using (var tx = await connection.BeginTransactionAsync())
        {
            // Even events live (starting 1–300 days from now), odd ones past (1–700 days ago); every seventh missing.
            await Execute(connection, """
                INSERT INTO "Events" ("OrganizationId", "Name", "StartsAt", "EndsAt", "CountedParticipants", "ActivatedParticipants", "IsMissing", "PastAnnounced", "ProductionStatus", "TimeZone")
                SELECT @o, 'Size event ' || lpad(i::text, 5, '0'), s, s + interval '2 days', @per, @per / 2, i % 7 = 0, i % 2 = 1, 0, 'UTC'
                FROM generate_series(0, @n - 1) AS i,
                     LATERAL (SELECT CASE WHEN i % 2 = 0 THEN @now + (1 + i % 300) * interval '1 day' ELSE @now - (1 + i % 700) * interval '1 day' END AS s) AS start
                ORDER BY i
                """, ("o", org), ("per", perEvent), ("n", eventCount), ("now", now));
            await Execute(connection, """
                CREATE TEMP TABLE size_events ON COMMIT DROP AS
                SELECT "Id" AS id, right("Name", 5)::int AS i, "IsMissing" AS missing FROM "Events" WHERE "OrganizationId" = @o AND "Name" LIKE 'Size event _____';
                INSERT INTO "EventProducts" ("EventId", "ProductCode", "Required", "Allocated", "InUse")
                SELECT id, @subscription, @per, CASE WHEN missing THEN @per / 2 ELSE @per END, false FROM size_events;
                INSERT INTO "EventProducts" ("EventId", "ProductCode", "Required", "Allocated", "InUse")
                SELECT id, @lead, 1, 1, true FROM size_events WHERE i % 4 = 0;
                INSERT INTO "Participants" ("EventId", "Reference", "Cancelled", "AppActivated", "StatusAt", "State", "LastChangeAt")
                SELECT id, 'P' || p, false, p % 2 = 0, @now, 1, @now FROM size_events, generate_series(0, @per - 1) AS p ORDER BY i, p;
                """, ("o", org), ("per", perEvent), ("now", now), ("subscription", ProductCodes.Subscription), ("lead", ProductCodes.LeadRetrieval));

            // One purchase of 10,000 every thousand rows, transfers of 1–5 to the events in turn; balances run.
            await Execute(connection, """
                WITH ids AS (SELECT array_agg(id ORDER BY i) AS a, count(*)::int AS n FROM size_events),
                rows AS (
                    SELECT i, i % 1000 = 0 AS purchase, CASE WHEN i % 1000 = 0 THEN 10000 ELSE 1 + i % 5 END AS q FROM generate_series(0, @rows - 1) AS i)
                INSERT INTO "LedgerEntries" ("OrganizationId", "Sequence", "Kind", "ProductCode", "Quantity", "EventId", "Actor", "CreatedAt", "Reference", "BalanceAfter", "IdempotencyKey", "RequestFingerprint")
                SELECT @o, 10 + i, CASE WHEN purchase THEN 0 ELSE 1 END, @subscription, q, CASE WHEN purchase THEN NULL ELSE ids.a[1 + i % ids.n] END,
                       'generator', @now - (@rows - i) * interval '1 second', CASE WHEN purchase THEN 'GEN-' || i END,
                       sum(CASE WHEN purchase THEN q ELSE -q END) OVER (ORDER BY i), 'gen-' || i, 'generated'
                FROM rows, ids ORDER BY i
                """, ("o", org), ("rows", ledgerRows), ("now", now), ("subscription", ProductCodes.Subscription));
            await Execute(connection, """
                UPDATE "Pools" SET "Purchased" = "Purchased" + g.p, "Transferred" = "Transferred" + g.t, "Available" = "Available" + g.p - g.t
                FROM (SELECT coalesce(sum("Quantity") FILTER (WHERE "Kind" = 0), 0) AS p, coalesce(sum("Quantity") FILTER (WHERE "Kind" = 1), 0) AS t
                      FROM "LedgerEntries" WHERE "OrganizationId" = @o AND "Actor" = 'generator') AS g
                WHERE "OrganizationId" = @o AND "ProductCode" = @subscription;
                UPDATE "Organizations" SET "LastSequence" = @last WHERE "Id" = @o;
                """, ("o", org), ("subscription", ProductCodes.Subscription), ("last", 10L + ledgerRows));
            await tx.CommitAsync();
        }

        var sample = await Scalar<int>(connection, """SELECT "Id" FROM "Events" WHERE "OrganizationId" = @o ORDER BY "Id" OFFSET @n / 3 LIMIT 1""", ("o", org), ("n", eventCount));
        var lastLedgerId = await Scalar<long>(connection, """SELECT max("Id") FROM "LedgerEntries" """);
        return (sample, lastLedgerId);
    }

    public static async Task<int> GenerateBigEvent(string file, int org)
    {
        await using var connection = new NpgsqlConnection(BenchDatabase.ConnectionString(file));
        await connection.OpenAsync();
        var now = Clock.UtcNow;
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var id = await Scalar<int>(connection, """
                INSERT INTO "Events" ("OrganizationId", "Name", "StartsAt", "EndsAt", "CountedParticipants", "ActivatedParticipants", "IsMissing", "PastAnnounced", "ProductionStatus", "TimeZone")
                VALUES (@o, @name, @s, @e, 0, 0, false, false, 0, 'Europe/Paris') RETURNING "Id"
                """, ("o", org), ("name", BigEvent.Name), ("s", BigEvent.StartsAt(now)), ("e", BigEvent.StartsAt(now).AddDays(2)));
            var big = BigEvent.Of(id, now);
            await using (var participants = await connection.BeginBinaryImportAsync(
                """COPY "Participants" ("EventId", "Reference", "Cancelled", "AppActivated", "StatusAt", "State", "LastChangeAt") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var p in big.Participants)
                {
                    await participants.StartRowAsync();
                    await participants.WriteAsync(id, NpgsqlDbType.Integer);
                    await participants.WriteAsync(p.Reference, NpgsqlDbType.Varchar);
                    await participants.WriteAsync(p.Cancelled, NpgsqlDbType.Boolean);
                    await participants.WriteAsync(p.AppActivated, NpgsqlDbType.Boolean);
                    await participants.WriteAsync(DateTime.SpecifyKind(p.StatusAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                    await participants.WriteAsync((int)p.State, NpgsqlDbType.Integer);
                    await participants.WriteAsync(DateTime.SpecifyKind(p.LastChangeAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                }

                await participants.CompleteAsync();
            }

            await using (var changes = await connection.BeginBinaryImportAsync(
                """COPY "AppliedChanges" ("OrganizationId", "ChangeId", "EventId", "ParticipantRef", "Type", "OccurredAt", "AppliedAt") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var c in big.Changes)
                {
                    await changes.StartRowAsync();
                    await changes.WriteAsync(org, NpgsqlDbType.Integer);
                    await changes.WriteAsync(c.ChangeId, NpgsqlDbType.Varchar);
                    await changes.WriteAsync(id, NpgsqlDbType.Integer);
                    await changes.WriteAsync(c.Reference, NpgsqlDbType.Varchar);
                    await changes.WriteAsync((int)c.Type, NpgsqlDbType.Integer);
                    await changes.WriteAsync(DateTime.SpecifyKind(c.At, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                    await changes.WriteAsync(DateTime.SpecifyKind(c.At, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                }

                await changes.CompleteAsync();
            }

            // Nothing was transferred to it (the ledger stays the generated one): it is missing its subscriptions.
            await Execute(connection, """
                UPDATE "Events" SET "CountedParticipants" = @c, "ActivatedParticipants" = @a, "IsMissing" = true WHERE "Id" = @e;
                INSERT INTO "EventProducts" ("EventId", "ProductCode", "Required", "Allocated", "InUse") VALUES (@e, @subscription, @c, 0, false);
                """, ("c", big.Counted), ("a", big.Activated), ("e", id), ("subscription", ProductCodes.Subscription));
            await tx.CommitAsync();
            return id;
        }
    }

    /// <summary>What autovacuum would do after such a load: statistics for the planner, a visibility map for index-only scans.</summary>
    public static async Task VacuumAnalyze(string file)
    {
        await using var connection = new NpgsqlConnection(BenchDatabase.ConnectionString(file));
        await connection.OpenAsync();
        await Execute(connection, "VACUUM ANALYZE");
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
