using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace EntitlementsLive.Bench;

/// <summary>
/// scripts/bench --cluster: the push scenario through both nodes of scripts/cluster. Admin screens connect half to node A,
/// half to node B; transfers commit on A and B in turn; each TransactionRecorded is timed from its commit (the time the
/// server stamped in its transaction; both nodes share this machine's clock) to each screen, and split by whether the
/// screen sits on the node that committed (same-node) or on the other one (cross-node).
/// </summary>
public static class ClusterScenario
{
    public const string Name = "cluster";
    private static readonly string[] Nodes = ["http://127.0.0.1:5081", "http://127.0.0.1:5082"];
    private const string Balancer = "http://127.0.0.1:5090";
    private const string DemoPassword = "Demo!2345";

    public static async Task Run(BenchOptions options, Report report)
    {
        var screensPerNode = options.Quick ? 25 : Math.Max(25, options.Connections / 4);
        var transfers = options.Quick ? 40 : 200;
        using var lb = Api.Client(Balancer);
        var admin = await Api.Login(lb, "admin@acme.test", DemoPassword);
        var ops = await Api.Login(lb, "ops@platform.test", DemoPassword);
        var clients = Nodes.Select(n => Api.Client(n, admin)).ToArray();
        try
        {
            await Measure(options, report, clients, ops, admin, screensPerNode, transfers);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private const int WarmUp = 4;

    private static async Task Measure(BenchOptions options, Report report, HttpClient[] clients, string ops, string admin, int screensPerNode, int transfers)
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

        // Arrivals: (transaction id, screen, screen's node) → latency in ms.
        var arrivals = new ConcurrentBag<(long Transaction, int Screen, int ScreenNode, double Ms)>();
        var screens = new List<HubConnection>();
        for (var node = 0; node < Nodes.Length; node++)
        {
            for (var i = 0; i < screensPerNode; i++)
            {
                var screenNode = node;
                var screenId = screens.Count;
                var connection = new HubConnectionBuilder()
                    .WithUrl(new Uri(new Uri(Nodes[node]), "/hubs/entitlements"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(admin))
                    .Build();
                connection.On<JsonElement>("TransactionRecorded", m =>
                {
                    var now = Clock.UtcNow;
                    var t = m.GetProperty("transaction");
                    var committed = DateTime.Parse(t.GetProperty("createdAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                    arrivals.Add((t.GetProperty("id").GetInt64(), screenId, screenNode, (now - committed).TotalMilliseconds));
                });
                await connection.StartAsync();
                screens.Add(connection);
            }
        }

        // Four warm-up transfers (JIT, connection pools, the lease holder's first drain) are sent and not measured.
        var committedOn = new Dictionary<long, int>();
        for (var i = -WarmUp; i < transfers; i++)
        {
            var node = (i + WarmUp) % Nodes.Length;
            using var response = await clients[node].PostAsJsonAsync($"/api/orgs/{org}/events/{summit}/transfers",
                new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = "bench-cluster-" + Guid.NewGuid().ToString("N") });
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction").GetProperty("id").GetInt64();
            if (i >= 0)
            {
                committedOn[id] = node;
            }

            await Task.Delay(options.Quick ? 25 : 50);
        }

        var expected = transfers * screens.Count;
        var deadline = Clock.UtcNow.AddSeconds(15);
        while (arrivals.Count(a => committedOn.ContainsKey(a.Transaction)) < expected && Clock.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var screen in screens)
        {
            await screen.DisposeAsync();
        }

        var ours = arrivals.Where(a => committedOn.ContainsKey(a.Transaction)).ToList();
        // Every push leaves from the node that drains the outbox: a screen there is one hop closer (Redis still carries it).
        var drainer = await Drainer(clients);
        var onDrainer = Distribution.Of(ours.Where(a => a.ScreenNode == drainer).Select(a => a.Ms));
        var offDrainer = Distribution.Of(ours.Where(a => a.ScreenNode != drainer).Select(a => a.Ms));
        var same = Distribution.Of(ours.Where(a => committedOn[a.Transaction] == a.ScreenNode).Select(a => a.Ms));
        var cross = Distribution.Of(ours.Where(a => committedOn[a.Transaction] != a.ScreenNode).Select(a => a.Ms));
        var missing = expected - ours.DistinctBy(a => (a.Transaction, a.Screen)).Count();
        report.Add(Name, "commit → screen, same node, p50", same.P50, "ms");
        report.Add(Name, "commit → screen, same node, p99", same.P99, "ms");
        report.Add(Name, "commit → screen, cross node, p50", cross.P50, "ms");
        report.Add(Name, "commit → screen, cross node, p99", cross.P99, "ms");
        report.Add(Name, "commit → screen on the drainer's node, p50", onDrainer.P50, "ms");
        report.Add(Name, "commit → screen on the other node, p50", offDrainer.P50, "ms");
        report.Add(Name, "deliveries missing", Math.Max(0, missing), "messages", "0", missing <= 0);
        report.Detail("cluster", new { screensPerNode, transfers, deliveries = ours.Count, same, cross, drainer = Nodes[drainer], onDrainer, offDrainer });
        Console.WriteLine(FormattableString.Invariant(
            $"  {screens.Count} screens ({screensPerNode} per node), {transfers} transfers committed on A and B in turn: same-node p50 {same.P50:0.0} / p99 {same.P99:0.0} ms, cross-node p50 {cross.P50:0.0} / p99 {cross.P99:0.0} ms, {Math.Max(0, missing)} missing"));
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
