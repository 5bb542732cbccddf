using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace EntitlementsLive.ClusterTests;

/// <summary>
/// Two nodes on one PostgreSQL and one Redis, behind one balancer (scripts/cluster up): pushes cross nodes, racing
/// writes on both nodes keep the ledger exact, the outbox lease moves when its holder is killed, and recurring jobs run
/// once per schedule for the whole cluster.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const string Subscription = "SUBSCRIPTION";

    [Fact]
    public async Task ATransferOnOneNode_ReachesTheEventTeamOnTheOther_WithinASecond()
    {
        // The team's screen sits on the node that does not drain, and the transfers commit on the one that does: every
        // push crosses Redis to reach it.
        var drainer = await WaitForLeader(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no node holds the outbox lease");
        var other = drainer == Cluster.NodeA ? Cluster.NodeB : Cluster.NodeA;
        using var admin = await Cluster.Api(drainer, "admin@acme.test");
        var acme = await Cluster.OrganizationId(admin, "Acme Events");
        var summit = await Cluster.EventId(admin, acme, "Acme Summit 2026");
        await Cluster.EnsureAvailable(acme, 100);
        await using var team = await Screen.Open(other, "team@acme.test", acme);

        var latencies = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await admin.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit}/transfers",
                new { productCode = Subscription, quantity = 1, idempotencyKey = "cross-" + Guid.NewGuid().ToString("N") });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var sequence = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction").GetProperty("sequence").GetInt64();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            double latency = 0;
            while (!team.Coverage.Any(c => c.Key > sequence && (latency = c.Value) >= 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(2);
            }

            Assert.True(team.Coverage.Keys.Any(k => k > sequence), $"transfer {i}: the event team on {other} got no coverage message in 10 s");
            latencies.Add(latency);
        }

        latencies.Sort();
        output.WriteLine($"commit on {drainer} (the drainer) → event team on {other}: p50 {latencies[latencies.Count / 2]:F1} ms, max {latencies[^1]:F1} ms over {latencies.Count}");
        // A generous bound (shared machines); the figures themselves are the benchmark's (scripts/bench --cluster).
        Assert.All(latencies, l => Assert.InRange(l, 0, 1_000));
    }

    [Fact]
    public async Task SixtyFourRacingTransfers_SplitAcrossBothNodes_NeverOverdraw_AndEachKeyHasOneEffect()
    {
        using var onA = await Cluster.Api(Cluster.NodeA, "admin@acme.test");
        using var onB = await Cluster.Api(Cluster.NodeB, "admin@acme.test");
        var acme = await Cluster.OrganizationId(onA, "Acme Events");
        var summit = await Cluster.EventId(onA, acme, "Acme Summit 2026");
        await Cluster.EnsureAvailable(acme, 100);
        var available = await Cluster.Available(acme);
        // 64 transfers whose total exceeds the balance by half: some must be refused, none may overdraw.
        var quantity = (int)Math.Max(1, available * 2 / 3 / 64 * 2 + 1);
        var keys = Enumerable.Range(0, 64).Select(i => $"race-{i}-{Guid.NewGuid():N}").ToArray();
        var answers = new ConcurrentBag<(string Key, HttpStatusCode Status)>();
        using var start = new SemaphoreSlim(0);

        // Each key is sent twice, once to each node, at the same moment: one effect per key whatever answers first.
        var sends = keys.SelectMany((key, i) => new[] { (Api: i % 2 == 0 ? onA : onB, Key: key), (Api: i % 2 == 0 ? onB : onA, Key: key) })
            .Select(async s =>
            {
                await start.WaitAsync();
                using var response = await s.Api.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit}/transfers",
                    new { productCode = Subscription, quantity, idempotencyKey = s.Key });
                answers.Add((s.Key, response.StatusCode));
            }).ToList();
        start.Release(sends.Count);
        await Task.WhenAll(sends);

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict }));
        // Both sends of one key agree: recorded (201 and 200), or refused twice (409) — never one of each.
        Assert.All(answers.GroupBy(a => a.Key), key => Assert.True(
            key.Count(a => a.Status == HttpStatusCode.Created) == 1 && key.Count(a => a.Status == HttpStatusCode.OK) == 1
            || key.All(a => a.Status == HttpStatusCode.Conflict), $"{key.Key}: {string.Join(", ", key.Select(a => a.Status))}"));
        var recorded = await Cluster.Scalar<long>($"""SELECT COUNT(*) FROM "LedgerEntries" WHERE "IdempotencyKey" LIKE 'race-%' AND "IdempotencyKey" = ANY(ARRAY['{string.Join("','", keys)}'])""");
        var accepted = answers.Where(a => a.Status is HttpStatusCode.Created or HttpStatusCode.OK).Select(a => a.Key).Distinct().Count();
        var created = answers.Count(a => a.Status == HttpStatusCode.Created);
        Assert.Equal(accepted, recorded);
        Assert.Equal(recorded, created);
        Assert.True(recorded * quantity <= available, $"{recorded} × {quantity} > {available}");
        Assert.True(recorded < 64, "the total exceeded the balance, yet every transfer was accepted");

        // The pool's figures are the ledger's sums, and nothing went below zero.
        var after = await Cluster.Available(acme);
        Assert.Equal(available - (recorded * quantity), after);
        Assert.True(after >= 0);
        var ledger = await Cluster.Scalar<long>($"""
            SELECT COALESCE(SUM(CASE WHEN "Kind" = 1 THEN -"Quantity" ELSE "Quantity" END), 0) FROM "LedgerEntries"
            WHERE "OrganizationId" = {acme} AND "ProductCode" = '{Subscription}'
            """);
        Assert.Equal(ledger, after);
        output.WriteLine($"64 racing transfers of {quantity} on a balance of {available}, each sent to both nodes: {recorded} recorded once each, " +
                         $"{64 - recorded} refused; balance {after} = ledger sum {ledger}");
    }

    [Fact]
    public async Task KillingTheLeaseHolderMidLoad_TheOtherNodeTakesOver_AndEveryScreenConverges()
    {
        var holder = await WaitForLeader(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no node holds the outbox lease");
        var survivor = holder == Cluster.NodeA ? Cluster.NodeB : Cluster.NodeA;
        using var api = await Cluster.Api(survivor, "admin@acme.test");
        var acme = await Cluster.OrganizationId(api, "Acme Events");
        var summit = await Cluster.EventId(api, acme, "Acme Summit 2026");
        await Cluster.EnsureAvailable(acme, 1_000);
        await using var adminScreen = await Screen.Open(survivor, "admin@acme.test", acme);
        await using var teamScreen = await Screen.Open(survivor, "team@acme.test", acme);

        // Two sessions signed in through the balancer: round robin pins them to different nodes, so one of them is moved
        // off the node that gets killed.
        var sessions = new[] { await BrowserSession.SignIn(Cluster.Balancer, "admin@acme.test"), await BrowserSession.SignIn(Cluster.Balancer, "team@acme.test") };

        using var stop = new CancellationTokenSource();
        var load = Cluster.Load(api, acme, summit, "kill-", stop.Token);
        TimeSpan takeover;
        try
        {
            await Task.Delay(1_000);
            await Cluster.Run("kill", Cluster.Name(holder));
            var killed = Stopwatch.GetTimestamp();
            var taken = await WaitForLeader(TimeSpan.FromSeconds(15));
            takeover = Stopwatch.GetElapsedTime(killed);
            Assert.Equal(survivor, taken);
            await Task.Delay(1_000);
        }
        finally
        {
            await stop.CancelAsync();
            await Cluster.Run("start", Cluster.Name(holder));
        }

        var transactions = await load;

        // Every screen converges on the database's figures: the last sequence, and the pool's balance.
        var lastSequence = await Cluster.Scalar<long>($"""SELECT "LastSequence" FROM "Organizations" WHERE "Id" = {acme}""");
        var available = await Cluster.Available(acme);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((adminScreen.LastSequence < lastSequence || adminScreen.Available(Subscription) != available
                || transactions.Any(id => !adminScreen.Transactions.ContainsKey(id))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(lastSequence, adminScreen.LastSequence);
        Assert.Equal(available, adminScreen.Available(Subscription));
        Assert.NotEmpty(teamScreen.Coverage);
        // Nothing lost: every transfer of the load reached the admin's screen (transactions are never coalesced).
        Assert.DoesNotContain(transactions, id => !adminScreen.Transactions.ContainsKey(id));

        // The balancer moves the session to the surviving node: still signed in, and its anti-forgery token still holds.
        foreach (var session in sessions)
        {
            await session.ShowsSignedIn();
        }
        output.WriteLine($"lease holder {holder} killed with SIGKILL mid-load ({transactions.Count} transfers recorded, all on the screen); {survivor} took over in {takeover.TotalMilliseconds:F0} ms; " +
                         $"the admin's screen reached sequence {lastSequence} and balance {available}; both sessions signed in through the balancer still work");

    }

    [Fact]
    public async Task RedisRestartedMidLoad_ScreensNoticeTheGap_AndConverge()
    {
        using var api = await Cluster.Api(Cluster.NodeA, "admin@acme.test");
        var acme = await Cluster.OrganizationId(api, "Acme Events");
        var summit = await Cluster.EventId(api, acme, "Acme Summit 2026");
        await Cluster.EnsureAvailable(acme, 1_000);
        await using var adminScreen = await Screen.Open(Cluster.NodeB, "admin@acme.test", acme);
        await using var teamScreen = await Screen.Open(Cluster.NodeB, "team@acme.test", acme);

        using var stop = new CancellationTokenSource();
        var load = Cluster.Load(api, acme, summit, "redis-", stop.Token);
        try
        {
            await Task.Delay(1_000);
            await Cluster.Run("restart-redis", "1");
            await Task.Delay(3_000);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var transactions = await load;

        // The screens converge on the database's figures without a reload: the admin's on every message, the team's on its event.
        var lastSequence = await Cluster.Scalar<long>($"""SELECT "LastSequence" FROM "Organizations" WHERE "Id" = {acme}""");
        var lastCoverage = await Cluster.Scalar<long>($"""SELECT MAX("Sequence") FROM "Outbox" WHERE "OrganizationId" = {acme} AND "Type" = 'EventCoverageChanged' AND "EventId" = {summit}""");
        var available = await Cluster.Available(acme);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((adminScreen.LastSequence < lastSequence || adminScreen.Available(Subscription) != available || !teamScreen.Coverage.ContainsKey(lastCoverage)
                || transactions.Any(id => !adminScreen.Transactions.ContainsKey(id))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(lastSequence, adminScreen.LastSequence);
        Assert.Equal(available, adminScreen.Available(Subscription));
        Assert.True(teamScreen.Coverage.ContainsKey(lastCoverage), $"the team's screen lacks coverage message {lastCoverage}");
        // Nothing lost: every transfer reached the admin's screen, live or through the resume its gap set off.
        Assert.DoesNotContain(transactions, id => !adminScreen.Transactions.ContainsKey(id));
        output.WriteLine($"Redis restarted mid-load ({transactions.Count} transfers): the admin's screen noticed {adminScreen.Gaps} gap(s), the team's {teamScreen.Gaps}; " +
                         $"both converged on sequence {lastSequence} (coverage {lastCoverage}) and balance {available}");
    }

    [Fact]
    public async Task RecurringJobs_RunOncePerSchedule_AcrossBothNodes()
    {
        // The cluster has been up for minutes by now (the minutely jobs ran several times); wait for two schedules if not.
        var deadline = DateTime.UtcNow.AddSeconds(150);
        long minutes;
        while ((minutes = await Cluster.Scalar<long>(Runs("AnnouncePastEvents", distinctMinutes: true))) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5_000);
        }

        Assert.True(minutes >= 2, "the minutely job did not run in two minutes");
        foreach (var job in new[] { "AnnouncePastEvents", "SweepUncoveredSoon", "RequeueWebhooks" })
        {
            var runs = await Cluster.Scalar<long>(Runs(job, distinctMinutes: false));
            var distinct = await Cluster.Scalar<long>(Runs(job, distinctMinutes: true));
            output.WriteLine($"{job}: {runs} runs in {distinct} minutes, both nodes serving");
            Assert.Equal(distinct, runs);
        }
    }

    private static string Runs(string method, bool distinctMinutes) => $"""
        SELECT COUNT({(distinctMinutes ? "DISTINCT date_trunc('minute', createdat)" : "*")}) FROM hangfire.job
        WHERE invocationdata::text LIKE '%"Method": "{method}"%' AND createdat > now() - interval '1 hour'
        """;

    private static async Task<string?> WaitForLeader(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await Cluster.Leader() is { } leader)
            {
                return leader;
            }

            await Task.Delay(100);
        }

        return null;
    }
}
