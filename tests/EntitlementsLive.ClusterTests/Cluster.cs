using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace EntitlementsLive.ClusterTests;

/// <summary>
/// The cluster scripts/cluster runs (PostgreSQL, Redis, node A on 5081, node B on 5082, the balancer on 5090): its
/// addresses, its database, and its fault switches (SIGKILL a node, start it again, restart Redis).
/// </summary>
public static class Cluster
{
    public const string NodeA = "http://127.0.0.1:5081";
    public const string NodeB = "http://127.0.0.1:5082";
    public const string Balancer = "http://127.0.0.1:5090";
    public const string Password = "Demo!2345";

    public static string Database =>
        $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("CLUSTER_PG_PORT") ?? "55441"};Username=postgres;Database=entitlements;Pooling=false";

    private static string Script => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/cluster"));

    /// <summary>Runs scripts/cluster with <paramref name="arguments"/> (no rebuild), and fails the test if it fails.</summary>
    public static async Task Run(params string[] arguments)
    {
        var info = new ProcessStartInfo(Script) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["CLUSTER_NO_BUILD"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"scripts/cluster {string.Join(' ', arguments)} failed: {await output}{await error}");
    }

    public static async Task<HttpClient> Api(string baseUrl, string email)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(baseUrl, email));
        return client;
    }

    private static readonly ConcurrentDictionary<string, string> Tokens = new(StringComparer.Ordinal);

    /// <summary>
    /// A bearer token for <paramref name="email"/>, signed in once (through the balancer) and used on every node: the keys
    /// behind it are shared, and sign-ins from one address are rate-limited.
    /// </summary>
    public static async Task<string> Token(string baseUrl, string email)
    {
        if (Tokens.TryGetValue(email, out var token))
        {
            return token;
        }

        using var http = new HttpClient { BaseAddress = new Uri(Balancer) };
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        return Tokens.GetOrAdd(email, token);
    }

    public static async Task<int> OrganizationId(HttpClient api, string name) =>
        (await api.GetFromJsonAsync<JsonElement>("/api/orgs")).EnumerateArray().Single(o => o.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    public static async Task<T> Scalar<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Which node drains the outbox now, read from each node's /metrics (null while none does).</summary>
    public static async Task<string?> Leader()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var node in new[] { NodeA, NodeB })
        {
            try
            {
                var metrics = await http.GetStringAsync(node + "/metrics");
                if (metrics.Split('\n').Any(l => l.StartsWith("entitlementslive_outbox_leading{", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal)))
                {
                    return node;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // That node is down.
            }
        }

        return null;
    }

    /// <summary>Transfers of 1 every 20 ms until stopped; returns the ids of those recorded (each must be 201).</summary>
    public static async Task<List<long>> Load(HttpClient api, int org, int eventId, string prefix, CancellationToken stop)
    {
        await Task.Yield();
        var recorded = new List<long>();
        while (!stop.IsCancellationRequested)
        {
            using var response = await api.PostAsJsonAsync($"/api/orgs/{org}/events/{eventId}/transfers",
                new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = prefix + Guid.NewGuid().ToString("N") }, CancellationToken.None);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            recorded.Add((await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("transaction").GetProperty("id").GetInt64());
            await Task.Delay(20, CancellationToken.None);
        }

        return recorded;
    }

    public static Task<long> Available(int org) =>
        Cluster.Scalar<long>($"""SELECT "Available" FROM "Pools" WHERE "OrganizationId" = {org} AND "ProductCode" = 'SUBSCRIPTION'""");

    public static async Task EnsureAvailable(int org, long atLeast)
    {
        if (await Available(org) >= atLeast)
        {
            return;
        }

        using var ops = await Api(NodeA, "ops@platform.test");
        using var response = await ops.PostAsJsonAsync($"/api/orgs/{org}/purchases",
            new { productCode = "SUBSCRIPTION", quantity = atLeast * 2, reference = "cluster tests", idempotencyKey = "cluster-" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task<int> EventId(HttpClient api, int org, string name) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{org}/events?status=all")).EnumerateArray()
            .First(e => e.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    public static string Name(string node) => node == NodeA ? "a" : "b";

    /// <summary>Live connections open on each node that answers, from its /metrics.</summary>
    public static async Task<Dictionary<string, long>> LiveConnections()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in new[] { NodeA, NodeB })
        {
            try
            {
                var line = (await http.GetStringAsync(node + "/metrics")).Split('\n')
                    .FirstOrDefault(l => l.StartsWith("entitlementslive_live_connections{", StringComparison.Ordinal));
                counts[node] = line is null ? 0 : (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // That node is down.
            }
        }

        return counts;
    }
}

/// <summary>A screen: a live connection to one node as one user, keeping the newest figures and every message's arrival.</summary>
public sealed class Screen : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ConcurrentDictionary<string, long> _available = new(StringComparer.Ordinal);
    private long _lastSequence;

    private Screen(HubConnection connection) => _connection = connection;

    /// <summary>Arrival time (Stopwatch) of each transaction, by idempotency-free id.</summary>
    public ConcurrentDictionary<long, long> Transactions { get; } = new();

    /// <summary>Each coverage message's latency, from the commit the server stamped in it ("at") to its arrival here, by sequence.</summary>
    public ConcurrentDictionary<long, double> Coverage { get; } = new();

    public long LastSequence => Interlocked.Read(ref _lastSequence);

    /// <summary>Gaps this screen noticed ("previous" past what it held) and resumed from, as the browser does.</summary>
    public int Gaps => _gaps;

    private int _gaps;

    public long? Available(string productCode) => _available.TryGetValue(productCode, out var value) ? value : null;

    /// <summary>
    /// Opens a screen the way a page does: it holds the organization's figures as of its last sequence (read first),
    /// connects, then resumes after that sequence, so nothing pushed while it was subscribing is missed.
    /// </summary>
    public static async Task<Screen> Open(string baseUrl, string email, int orgId)
    {
        var held = await Cluster.Scalar<long>($"""SELECT "LastSequence" FROM "Organizations" WHERE "Id" = {orgId}""");
        var token = await Cluster.Token(baseUrl, email);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(baseUrl), "/hubs/entitlements"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var screen = new Screen(connection);
        connection.On<JsonElement>("PoolBalanceChanged", m =>
        {
            screen.Seen(m);
            screen._available.AddOrUpdate(m.GetProperty("productCode").GetString()!, m.GetProperty("available").GetInt64(), (_, old) => m.GetProperty("available").GetInt64());
        });
        connection.On<JsonElement>("TransactionRecorded", m =>
        {
            screen.Seen(m);
            screen.Transactions.TryAdd(m.GetProperty("transaction").GetProperty("id").GetInt64(), Stopwatch.GetTimestamp());
        });
        connection.On<JsonElement>("EventCoverageChanged", m =>
        {
            screen.Seen(m);
            var at = m.GetProperty("at").GetDateTime().ToUniversalTime();
            screen.Coverage.TryAdd(m.GetProperty("sequence").GetInt64(), (DateTime.UtcNow - at).TotalMilliseconds);
        });
        // Every message moves the chain "previous" names, so every kind is followed, shown here or not.
        foreach (var type in new[] { "MissingEntitlementsChanged", "AlertRaised", "AlertResolved" })
        {
            connection.On<JsonElement>(type, screen.Seen);
        }

        // A heartbeat naming a sequence past what the screen holds: the last message before a quiet was lost; resume.
        connection.On<JsonElement>("Heartbeat", m =>
        {
            var holds = Interlocked.Read(ref screen._lastSequence);
            foreach (var position in m.GetProperty("positions").EnumerateArray().Where(p => p.GetProperty("orgId").GetInt32() == orgId))
            {
                screen.ResumeIfBehind(orgId, holds, position.GetProperty("sequence").GetInt64());
            }
        });
        screen._lastSequence = held;
        await connection.StartAsync();
        await screen.Resume(orgId, held);
        return screen;
    }

    /// <summary>What a screen does after a gap or a reconnect: asks for everything after what it holds.</summary>
    public Task<JsonElement> Resume(int orgId, long after) => _connection.InvokeAsync<JsonElement>("Resume", orgId, after);

    private void Seen(JsonElement message)
    {
        var sequence = message.GetProperty("sequence").GetInt64();
        var held = Interlocked.Read(ref _lastSequence);
        long current;
        while ((current = Interlocked.Read(ref _lastSequence)) < sequence && Interlocked.CompareExchange(ref _lastSequence, sequence, current) != current)
        {
        }

        if (message.TryGetProperty("previous", out var previous) && previous.ValueKind == JsonValueKind.Number)
        {
            ResumeIfBehind(message.GetProperty("orgId").GetInt32(), held, previous.GetInt64());
        }
    }

    /// <summary>A sequence pushed to this screen past what it holds: a message was lost on the way; resume from what it holds.</summary>
    private void ResumeIfBehind(int orgId, long held, long pushed)
    {
        if (held > 0 && pushed > held)
        {
            Interlocked.Increment(ref _gaps);
            _ = Task.Run(() => Resume(orgId, held));
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
