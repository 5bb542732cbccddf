using System.Diagnostics;
using System.Net.Http.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.Data.Sqlite;

namespace EntitlementsLive.Bench;

/// <summary>Transfers/s through the handler beside the raw SQLite floor on the same file, and over HTTP.</summary>
public static class LedgerScenario
{
    public static async Task RunInProcess(BenchOptions o, Report report, string workDir)
    {
        var file = Path.Combine(workDir, "ledger.db");
        await using var app = await InProcess.CreateAsync(file);
        var org = await app.Organization("Ledger org", 10_000_000);
        var events = await app.Events(org, 8, participants: 0);

        async Task<double> Handler(int writers, TimeSpan? duration = null)
        {
            var count = 0L;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                while (clock.Elapsed < (duration ?? o.LedgerDuration))
                {
                    await app.With<TransferToEvent, TransferResult>(h => h.Handle(org, events[w % events.Count],
                        new TransferRequest(ProductCodes.Subscription, 1, Guid.NewGuid().ToString("N")), "bench", CancellationToken.None));
                    Interlocked.Increment(ref count);
                }
            })));
            return count / clock.Elapsed.TotalSeconds;
        }

        // The floor: what the database does for the same guarantee with nothing else, a guarded update and an insert per transaction.
        async Task<double> Raw(int writers) => BenchDatabase.IsPostgreSql ? await RawPostgreSql(writers) : await RawSqlite(writers);

        async Task<double> RawPostgreSql(int writers)
        {
            var count = 0L;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                await using var connection = new Npgsql.NpgsqlConnection(BenchDatabase.ConnectionString(file));
                await connection.OpenAsync();
                while (clock.Elapsed < o.LedgerDuration)
                {
                    await using var tx = await connection.BeginTransactionAsync();
                    await using var update = new Npgsql.NpgsqlCommand("""UPDATE "Pools" SET "Available" = "Available" - 1, "Transferred" = "Transferred" + 1 WHERE "OrganizationId" = $1 AND "ProductCode" = 'SUBSCRIPTION' AND "Available" >= 1""", connection, tx);
                    update.Parameters.AddWithValue(org);
                    if (await update.ExecuteNonQueryAsync() != 1)
                    {
                        throw new InvalidOperationException("pool exhausted");
                    }

                    await using var insert = new Npgsql.NpgsqlCommand("""
                        INSERT INTO "LedgerEntries" ("OrganizationId", "Sequence", "Kind", "ProductCode", "Quantity", "EventId", "Actor", "CreatedAt", "Reference", "BalanceAfter", "IdempotencyKey", "RequestFingerprint")
                        VALUES ($1, 0, 1, 'SUBSCRIPTION', 1, $2, 'raw', $3, NULL, 0, $4, 'raw')
                        """, connection, tx);
                    insert.Parameters.AddWithValue(org);
                    insert.Parameters.AddWithValue(events[w % events.Count]);
                    insert.Parameters.AddWithValue(Clock.UtcNow);
                    insert.Parameters.AddWithValue(Guid.NewGuid().ToString("N"));
                    await insert.ExecuteNonQueryAsync();
                    await tx.CommitAsync();
                    Interlocked.Increment(ref count);
                }
            })));
            return count / clock.Elapsed.TotalSeconds;
        }

        async Task<double> RawSqlite(int writers)
        {
            var count = 0L;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            {
                using var connection = new SqliteConnection($"Data Source={file};Default Timeout=30;Pooling=False");
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    pragma.CommandText = "PRAGMA busy_timeout=10000;";
                    pragma.ExecuteNonQuery();
                }

                using var update = connection.CreateCommand();
                update.CommandText = "UPDATE Pools SET Available = Available - 1, Transferred = Transferred + 1 WHERE OrganizationId = $org AND ProductCode = 'SUBSCRIPTION' AND Available >= 1";
                update.Parameters.AddWithValue("$org", org);
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO LedgerEntries (OrganizationId, Sequence, Kind, ProductCode, Quantity, EventId, Actor, CreatedAt, Reference, BalanceAfter, IdempotencyKey, RequestFingerprint)
                    VALUES ($org, 0, 1, 'SUBSCRIPTION', 1, $event, 'raw', $at, NULL, 0, $key, 'raw')
                    """;
                insert.Parameters.AddWithValue("$org", org);
                insert.Parameters.AddWithValue("$event", events[w % events.Count]);
                var at = insert.Parameters.Add("$at", SqliteType.Text);
                var key = insert.Parameters.Add("$key", SqliteType.Text);
                while (clock.Elapsed < o.LedgerDuration)
                {
                    using var tx = connection.BeginTransaction();
                    update.Transaction = tx;
                    insert.Transaction = tx;
                    if (update.ExecuteNonQuery() != 1)
                    {
                        throw new InvalidOperationException("pool exhausted");
                    }

                    at.Value = Clock.UtcNow;
                    key.Value = Guid.NewGuid().ToString("N");
                    insert.ExecuteNonQuery();
                    tx.Commit();
                    Interlocked.Increment(ref count);
                }
            })));
            return count / clock.Elapsed.TotalSeconds;
        }

        // Warm-up: JIT (until it settles, see Warmup), EF model, query cache.
        await Handler(1);
        var warm = await Warmup.UntilCompiled(Warmup.InProcess, async slice => await Handler(8, slice), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(o.Quick ? 20 : 45));
        report.Add("ledger", "in-process warm-up until the JIT settled", warm.TotalSeconds, "s");
        foreach (var writers in new[] { 1, 8 })
        {
            var handler = await Handler(writers);
            var raw = await Raw(writers);
            var ratio = handler / raw;
            report.Add("ledger", $"handler transfers/s, {writers} writer(s)", handler, "per s");
            report.Add("ledger", $"raw floor transfers/s, {writers} writer(s)", raw, "per s");
            // The goal of group commit: with 8 writers, several transfers per fsync beat one bare transaction per fsync twice over.
            if (writers == 8)
            {
                report.Add("ledger", $"handler / raw floor, {writers} writer(s)", ratio * 100, "%", "≥ 200 %", ratio >= 2);
            }
            else
            {
                report.Add("ledger", $"handler / raw floor, {writers} writer(s)", ratio * 100, "%");
            }
        }
    }

    public static async Task RunHttp(BenchOptions o, Report report, AppProcess app, string adminEmail, int orgId, IReadOnlyList<int> events)
    {
        using var login = Api.Client(app.BaseUrl);
        using var http = Api.Client(app.BaseUrl, await Api.Login(login, adminEmail), connections: 64);
        var count = 0L;
        var errors = 0L;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();

        // The same load first, until the fresh app has compiled its path (see Warmup).
        var warm = await Warmup.UntilCompiled(Warmup.Of(login), Load, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(o.Quick ? 20 : 45));
        report.Add("ledger", "HTTP warm-up until the app's JIT settled", warm.TotalSeconds, "s");
        (count, errors, latencies) = (0, 0, []);
        var clock = Stopwatch.StartNew();
        await Load(o.LedgerDuration * 2);
        var d = Distribution.Of(latencies);
        report.Add("ledger", "HTTP transfers/s, 32 concurrent clients", count / clock.Elapsed.TotalSeconds, "per s", "≥ 5,000/s", count / clock.Elapsed.TotalSeconds >= 5_000);
        report.Add("ledger", "HTTP transfer latency p50 (32 clients)", d.P50, "ms");
        report.Add("ledger", "HTTP transfer latency p99 (32 clients)", d.P99, "ms", "≤ 50 ms", d.P99 <= 50);
        report.Add("ledger", "HTTP transfer errors", errors, "requests");

        Task Load(TimeSpan duration)
        {
            var run = Stopwatch.StartNew();
            return Task.WhenAll(Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
            {
                while (run.Elapsed < duration)
                {
                    var started = Stopwatch.GetTimestamp();
                    var response = await http.PostAsJsonAsync($"/api/orgs/{orgId}/events/{events[w % events.Count]}/transfers",
                        new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = Guid.NewGuid().ToString("N") });
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref count);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            })));
        }
    }
}
