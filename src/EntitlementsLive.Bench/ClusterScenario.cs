using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace EntitlementsLive.Bench;

/// <summary>
/// scripts/bench --cluster [--connections N]: the push scenario through both nodes of scripts/cluster. N screens (50 in a
/// quick run), half on node A and half on node B, one in five an administrator's and the rest the live event's team,
/// opened by load generators in their own processes (<see cref="ScreenWorker"/>, at most 5,000 screens each: a process
/// here may hold 20,000 open files). Transfers commit on A and B in turn; each message is timed from its commit (the time
/// the server stamped on it; both nodes share this machine's clock) to each screen, and split by whether the screen sits
/// on the node that committed (same-node) or on the other one (cross-node).
/// </summary>
public static class ClusterScenario
{
    public const string Name = "cluster";
    private static readonly string[] Nodes = ["http://127.0.0.1:5081", "http://127.0.0.1:5082"];
    private static readonly string[] NodeNames = ["a", "b"];
    private const string Balancer = "http://127.0.0.1:5090";
    private const string DemoPassword = "Demo!2345";
    private const int ScreensPerWorker = 5_000;
    private const int WarmUp = 4;

    public static async Task Run(BenchOptions options, Report report)
    {
        var screens = options.Quick ? 50 : Math.Max(50, options.Connections);
        // Every transfer reaches every screen (three messages to an administrator, one to the team): the pace leaves the
        // nodes time to send one before the next, or the figure would measure a queue, not a push.
        var transfers = options.Quick ? 40 : screens > 2_000 ? 40 : 200;
        var pace = TimeSpan.FromMilliseconds(Math.Max(options.Quick ? 25 : 50, screens / 10.0));
        using var lb = Api.Client(Balancer);
        var admin = await Api.Login(lb, "admin@acme.test", DemoPassword);
        var team = await Api.Login(lb, "team@acme.test", DemoPassword);
        var ops = await Api.Login(lb, "ops@platform.test", DemoPassword);
        var clients = Nodes.Select(n => Api.Client(n, admin)).ToArray();
        try
        {
            await Measure(report, clients, ops, admin, team, screens, transfers, pace);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task Measure(Report report, HttpClient[] clients, string ops, string admin, string team, int screens, int transfers, TimeSpan pace)
    {
        var org = (await clients[0].GetFromJsonAsync<JsonElement>("/api/orgs")).EnumerateArray()
            .Single(o => o.GetProperty("name").GetString() == "Acme Events").GetProperty("id").GetInt32();
        var summit = (await clients[0].GetFromJsonAsync<JsonElement>($"/api/orgs/{org}/events?status=live")).EnumerateArray()
            .First().GetProperty("id").GetInt32();
        using (var opsApi = Api.Client(Balancer, ops))
        {
            (await opsApi.PostAsJsonAsync($"/api/orgs/{org}/purchases",
                new { productCode = "SUBSCRIPTION", quantity = (transfers + WarmUp) * 2, reference = "bench --cluster", idempotencyKey = "bench-" + Guid.NewGuid().ToString("N") })).EnsureSuccessStatusCode();
        }

        var memoryBefore = NodeNames.Select(ResidentBytes).ToArray();
        var connectClock = Stopwatch.StartNew();
        var workers = new List<ScreenWorkerProcess>();
        try
        {
            var perNode = screens / Nodes.Length;
            for (var node = 0; node < Nodes.Length; node++)
            {
                for (var first = 0; first < perNode; first += ScreensPerWorker)
                {
                    workers.Add(ScreenWorkerProcess.Start(Nodes[node], node, Math.Min(ScreensPerWorker, perNode - first), first, org, summit, admin, team));
                }
            }

            var ready = await Task.WhenAll(workers.Select(w => w.ReadyAsync()));
            connectClock.Stop();
            var open = ready.Sum(r => r.Open);
            var (openTarget, openMet) = screens >= 20_000 ? ("≥ 20,000", open >= 20_000) : ((string?)null, (bool?)null);
            report.Add(Name, "screens open over both nodes", open, "connections", openTarget, openMet);
            report.Add(Name, "screens that failed to connect", ready.Sum(r => r.Failed), "connections");
            report.Add(Name, "time to open them", connectClock.Elapsed.TotalSeconds, "s");
            await Task.Delay(3000);
            for (var node = 0; node < Nodes.Length; node++)
            {
                var onNode = ready.Where((_, i) => workers[i].Node == node).Sum(r => r.Open);
                var perConnection = (ResidentBytes(NodeNames[node]) - memoryBefore[node]) / (double)Math.Max(1, onNode) / 1024;
                report.Add(Name, $"node {NodeNames[node].ToUpperInvariant()} memory per connection ({onNode:N0} open)", perConnection, "KiB");
            }

            // Four warm-up transfers (JIT, connection pools, the lease holder's first drain) are sent and not measured.
            var committedOn = new Dictionary<long, int>();
            for (var i = -WarmUp; i < transfers; i++)
            {
                var node = (i + WarmUp) % Nodes.Length;
                using var response = await clients[node].PostAsJsonAsync($"/api/orgs/{org}/events/{summit}/transfers",
                    new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = "bench-cluster-" + Guid.NewGuid().ToString("N") });
                response.EnsureSuccessStatusCode();
                var committed = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction").GetProperty("createdAt").GetDateTime().ToUniversalTime();
                if (i >= 0)
                {
                    committedOn[ScreenWorker.Key(committed.Ticks)] = node;
                }

                await Task.Delay(pace);
            }

            var (pool, events) = await PushScenario.Figures(clients[0], org);
            var request = new ScreenReportRequest(committedOn, pool, events.ToDictionary(kv => kv.Key, kv => new[] { kv.Value.Allocated, kv.Value.Counted }));
            var results = await Task.WhenAll(workers.Select(w => w.ReportAsync(request)));

            var drainer = await Drainer(clients);
            static IEnumerable<double> Expand(IEnumerable<Dictionary<int, long>> histograms) =>
                histograms.SelectMany(h => h).SelectMany(kv => Enumerable.Repeat(kv.Key / 10.0, (int)kv.Value));
            var all = Distribution.Of(Expand(results.SelectMany(r => new[] { r.Same, r.Cross })));
            var same = Distribution.Of(Expand(results.Select(r => r.Same)));
            var cross = Distribution.Of(Expand(results.Select(r => r.Cross)));
            var onDrainer = Distribution.Of(Expand(results.Where(r => r.Node == drainer).SelectMany(r => new[] { r.Same, r.Cross })));
            var offDrainer = Distribution.Of(Expand(results.Where(r => r.Node != drainer).SelectMany(r => new[] { r.Same, r.Cross })));
            var missing = results.Sum(r => r.Missing);
            var differing = results.Sum(r => r.Differing);
            report.Add(Name, $"commit → screen p50 ({open:N0} screens)", all.P50, "ms");
            report.Add(Name, $"commit → screen p95 ({open:N0} screens)", all.P95, "ms");
            // No latency goal here: the one-node goals assume the push bench's spread of screens over ten organizations, while
            // here every screen hears every transfer (a burst of 28,000 messages at 20,000 screens, on the same two cores).
            report.Add(Name, $"commit → screen p99 ({open:N0} screens)", all.P99, "ms");
            report.Add(Name, $"commit → screen max ({open:N0} screens)", all.Max, "ms");
            report.Add(Name, "commit → screen, same node, p50", same.P50, "ms");
            report.Add(Name, "commit → screen, same node, p99", same.P99, "ms");
            report.Add(Name, "commit → screen, cross node, p50", cross.P50, "ms");
            report.Add(Name, "commit → screen, cross node, p99", cross.P99, "ms");
            report.Add(Name, "commit → screen on the drainer's node, p50", onDrainer.P50, "ms");
            report.Add(Name, "commit → screen on the other node, p50", offDrainer.P50, "ms");
            report.Add(Name, "deliveries missing", missing, "messages", "0", missing == 0);
            report.Add(Name, "screens whose figures differ from the database", differing, "screens", "0", differing == 0);
            report.Detail("cluster", new { screens = open, workers = workers.Count, transfers, paceMs = pace.TotalMilliseconds, deliveries = all.Count, all, same, cross, drainer = drainer < 0 ? null : Nodes[drainer], onDrainer, offDrainer });
            Console.WriteLine(FormattableString.Invariant(
                $"  {open} screens over {workers.Count} load generators, {transfers} transfers committed on A and B in turn, one every {pace.TotalMilliseconds:0} ms: p50 {all.P50:0.0} / p99 {all.P99:0.0} ms (same-node p99 {same.P99:0.0}, cross-node p99 {cross.P99:0.0}), {missing} missing, {differing} screens off"));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    /// <summary>Resident memory of a node of scripts/cluster (its pid file), in bytes; 0 when it cannot be read.</summary>
    private static long ResidentBytes(string node)
    {
        var dir = Environment.GetEnvironmentVariable("CLUSTER_DIR") ?? "/tmp/entitlementslive-cluster";
        try
        {
            return AppProcess.ResidentBytesOf(int.Parse(File.ReadAllText(Path.Combine(dir, $"node-{node}.pid")).Trim(), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>The node whose /metrics says it drains the outbox (read from loopback, which /metrics allows).</summary>
    private static async Task<int> Drainer(HttpClient[] clients)
    {
        for (var i = 0; i < clients.Length; i++)
        {
            var metrics = await clients[i].GetStringAsync("/metrics");
            if (metrics.Split('\n').Any(l => l.StartsWith("entitlementslive_outbox_leading{", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal)))
            {
                return i;
            }
        }

        return -1;
    }
}
