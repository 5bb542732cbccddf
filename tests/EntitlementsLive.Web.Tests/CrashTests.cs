using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Bench;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Demo;
using Xunit.Abstractions;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The server as a child process, killed with SIGKILL under load three times. Clients retry what was not
/// answered with the same idempotency key or change ids, as the API asks them to; afterwards every
/// acknowledged effect is in the database exactly once, and the derived figures agree with the rows.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 3;
    private readonly ChildApp _child = new();

    /// <summary>A transfer as the client sent it, and what it finally heard.</summary>
    private sealed record Transfer(string Key, int EventId)
    {
        public HttpStatusCode? Answer { get; set; }
    }

    /// <summary>A batch of new participants as the client sent it; accepted once it has a batch id.</summary>
    private sealed record Batch(string[] Refs)
    {
        public string? BatchId { get; set; }
    }

    [Fact]
    public async Task KilledUnderLoad_ThreeTimes_EveryAcknowledgedEffectIsRecordedExactlyOnce()
    {
        var database = _child.Database;
        var transfers = new ConcurrentBag<Transfer>();
        var batches = new ConcurrentBag<Batch>();
        var random = new Random(20261129);
        int acme, summit;
        long countedBefore;
        var retried = 0;

        var app = await _child.StartAsync();
        try
        {
            using (var admin = await ChildApp.Client(app, "admin@acme.test"))
            {
                acme = await ChildApp.OrganizationId(admin, "Acme Events");
            }

            using (var ops = await ChildApp.Client(app, "ops@platform.test"))
            {
                var purchase = await ops.PostAsJsonAsync($"/api/orgs/{acme}/purchases",
                    new { productCode = ProductCodes.Subscription, quantity = 1_000_000, reference = "CRASH-TEST", idempotencyKey = "crash-purchase" });
                Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
            }

            using (var admin = await ChildApp.Client(app, "admin@acme.test"))
            {
                var events = (await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{acme}/events?status=live")).EnumerateArray().ToList();
                var first = events.Single(e => e.GetProperty("name").GetString() == "Acme Summit 2026");
                summit = first.GetProperty("id").GetInt32();
                countedBefore = first.GetProperty("countedParticipants").GetInt64();
            }

            for (var round = 1; round <= Rounds; round++)
            {
                using var admin = await ChildApp.Client(app, "admin@acme.test");
                using var stop = new CancellationTokenSource();
                var load = Enumerable.Range(0, 10).Select(_ => TransferLoad(admin, acme, summit, transfers, stop.Token))
                    .Concat(Enumerable.Range(0, 2).Select(_ => BatchLoad(admin, acme, summit, batches, stop.Token))).ToList();
                await Task.Delay(TimeSpan.FromMilliseconds(1_500 + random.Next(1_500)));
                await app.CrashAsync();
                await stop.CancelAsync();
                await Task.WhenAll(load);
                await app.DisposeAsync();

                app = await _child.StartAsync();
                using var again = await ChildApp.Client(app, "admin@acme.test");
                retried += await RetryUnanswered(again, acme, summit, transfers, batches);
                output.WriteLine($"round {round}: {transfers.Count} transfers sent so far, {batches.Count(b => b.BatchId is not null)} batches accepted");
            }

            using (var admin = await ChildApp.Client(app, "admin@acme.test"))
            {
                foreach (var batch in batches)
                {
                    var status = await BatchApi.WaitUntilFinished(admin, acme, batch.BatchId!);
                    Assert.Equal("done", status.GetProperty("status").GetString());
                }
            }
        }
        finally
        {
            await app.DisposeAsync();
        }

        // The database, read directly once the app is gone.
        await using var db = await TestDatabase.OpenAsync(database);
        var recorded = await Rows(db, """SELECT "IdempotencyKey" FROM "LedgerEntries" WHERE "IdempotencyKey" LIKE 'crash-t-%'""");
        var acknowledged = transfers.Where(t => t.Answer is HttpStatusCode.Created or HttpStatusCode.OK).Select(t => t.Key).ToList();
        Assert.Equal(acknowledged.Count, acknowledged.Distinct().Count());
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), recorded.Order(StringComparer.Ordinal));
        Assert.All(transfers, t => Assert.NotNull(t.Answer));

        // The pool's figures are the ledger's sums, and the per-organization sequence has no gap and no repeat.
        var pool = await Single(db, $"""SELECT "Purchased" || ',' || "Transferred" || ',' || "Available" FROM "Pools" WHERE "OrganizationId" = {acme} AND "ProductCode" = 'SUBSCRIPTION'""");
        var sums = await Single(db, $"""SELECT SUM(CASE WHEN "Kind" IN (0, 2) THEN "Quantity" ELSE 0 END) || ',' || SUM(CASE WHEN "Kind" = 1 THEN "Quantity" ELSE 0 END) FROM "LedgerEntries" WHERE "OrganizationId" = {acme} AND "ProductCode" = 'SUBSCRIPTION'""");
        var parts = pool.Split(',').Select(long.Parse).ToArray();
        Assert.Equal(parts[0] - parts[1], parts[2]);
        Assert.Equal($"{parts[0]},{parts[1]}", sums);
        var sequences = await Rows(db, $"""SELECT "Sequence" FROM "LedgerEntries" WHERE "OrganizationId" = {acme} ORDER BY "Sequence" """);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());

        // Every accepted participant is there once, and the event's counters and requirement agree with the rows.
        var refs = batches.Where(b => b.BatchId is not null).SelectMany(b => b.Refs).ToList();
        var stored = await Rows(db, $"""SELECT "Reference" FROM "Participants" WHERE "EventId" = {summit} AND "Reference" LIKE 'crash-p-%'""");
        Assert.Equal(refs.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var counted = long.Parse(await Single(db, $"""SELECT "CountedParticipants" FROM "Events" WHERE "Id" = {summit}"""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(countedBefore + refs.Count, counted);
        var required = long.Parse(await Single(db, $"""SELECT "Required" FROM "EventProducts" WHERE "EventId" = {summit} AND "ProductCode" = 'SUBSCRIPTION'"""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(counted, required);

        output.WriteLine($"crash rounds: {Rounds}; transfers sent: {transfers.Count}; acknowledged and recorded once: {acknowledged.Count}; " +
                         $"answered only after a retry: {retried}; refused: {transfers.Count - acknowledged.Count}; participants accepted and stored once: {refs.Count} in {batches.Count(b => b.BatchId is not null)} batches");
    }

    private static async Task TransferLoad(HttpClient api, int org, int eventId, ConcurrentBag<Transfer> sent, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var transfer = new Transfer("crash-t-" + Guid.NewGuid().ToString("N"), eventId);
            sent.Add(transfer);
            try
            {
                using var response = await api.PostAsJsonAsync($"/api/orgs/{org}/events/{eventId}/transfers",
                    new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = transfer.Key }, CancellationToken.None);
                transfer.Answer = (int)response.StatusCode >= 500 ? null : response.StatusCode;
            }
            catch (HttpRequestException)
            {
                // The server died with the request in flight: the client does not know, and will retry.
                return;
            }
        }
    }

    private static async Task BatchLoad(HttpClient api, int org, int eventId, ConcurrentBag<Batch> sent, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var batch = new Batch([.. Enumerable.Range(0, 40).Select(_ => "crash-p-" + Guid.NewGuid().ToString("N")[..12])]);
            sent.Add(batch);
            try
            {
                await Send(api, org, eventId, batch);
            }
            catch (HttpRequestException)
            {
                return;
            }
        }
    }

    private static async Task Send(HttpClient api, int org, int eventId, Batch batch)
    {
        var changes = batch.Refs.Select(r => BatchApi.Change("c-" + r, r, "added", DateTime.UtcNow.AddMinutes(-1)));
        using var response = await api.PostAsJsonAsync($"/api/orgs/{org}/events/{eventId}/participant-changes", new { changes });
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            batch.BatchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();
        }
    }

    /// <summary>What a careful client does after a dropped connection: the same request again, same key, same change ids.</summary>
    private static async Task<int> RetryUnanswered(HttpClient api, int org, int eventId, ConcurrentBag<Transfer> transfers, ConcurrentBag<Batch> batches)
    {
        var retried = 0;
        foreach (var transfer in transfers.Where(t => t.Answer is null))
        {
            using var response = await api.PostAsJsonAsync($"/api/orgs/{org}/events/{transfer.EventId}/transfers",
                new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = transfer.Key });
            Assert.True((int)response.StatusCode < 500, $"retry answered {response.StatusCode}");
            transfer.Answer = response.StatusCode;
            retried++;
        }

        foreach (var batch in batches.Where(b => b.BatchId is null))
        {
            await Send(api, org, eventId, batch);
            Assert.NotNull(batch.BatchId);
        }

        return retried;
    }

    private static async Task<List<string>> Rows(System.Data.Common.DbConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    private static async Task<string> Single(System.Data.Common.DbConnection db, string sql) => (await Rows(db, sql)).Single();

    public void Dispose() => _child.Dispose();
}

/// <summary>Suites that run the app as child processes: one at a time (the assembly runs its collections in turn).</summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "processes";
}
