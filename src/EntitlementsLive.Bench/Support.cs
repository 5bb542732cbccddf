using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EntitlementsLive.Bench;

public sealed class BenchOptions
{
    public bool Quick { get; private set; }

    public int Connections { get; private set; } = 1_000;

    public string Output { get; private set; } = "bench-results.json";

    public HashSet<string> Scenarios { get; private set; } = new(["push", "ledger", "ingestion", "plans", "forecast", "pages", "alerts"], StringComparer.OrdinalIgnoreCase);

    public TimeSpan PushDuration => Quick ? TimeSpan.FromSeconds(8) : TimeSpan.FromSeconds(30);

    /// <summary>The load right after the screens opened, before the measured push phase (reported apart).</summary>
    public TimeSpan SettleDuration => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);

    public TimeSpan PollingDuration => Quick ? TimeSpan.FromSeconds(12) : TimeSpan.FromSeconds(30);

    public TimeSpan LedgerDuration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5);

    public int IngestionChanges => Quick ? 100_000 : 1_000_000;

    public int SizeLedgerRows => Quick ? 100_000 : 1_000_000;

    public int SizeEvents => Quick ? 1_000 : 10_000;

    /// <summary>Keeps the work folder (its databases) after the run, to profile against the same data.</summary>
    public bool Keep { get; set; }

    public int SizeParticipants => Quick ? 200_000 : 2_000_000;

    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions();
        var connectionsGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": o.Quick = true; break;
                case "--connections" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    o.Connections = n; connectionsGiven = true; i++; break;
                case "--keep": o.Keep = true; break;
                case "--out" when i + 1 < args.Length: o.Output = args[++i]; break;
                case "--only" when i + 1 < args.Length: o.Scenarios = new(args[++i].Split(','), StringComparer.OrdinalIgnoreCase); break;
                case "--cluster": o.Scenarios = new([ClusterScenario.Name], StringComparer.OrdinalIgnoreCase); break;
                case "--provider" when i + 1 < args.Length && args[i + 1] is "Sqlite" or "PostgreSql":
                    BenchDatabase.Provider = args[++i]; break;
                default: return null;
            }
        }

        if (o.Quick && !connectionsGiven)
        {
            o.Connections = 200;
        }

        return o;
    }
}

/// <summary>Percentiles of a sample, in the sample's unit.</summary>
public sealed record Distribution(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Distribution(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Distribution(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1], sorted.Average());
    }
}

public static class Api
{
    public const string Password = "Bench!2345";

    public static HttpClient Client(string baseUrl, string? token = null, int connections = 256)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }

    public static async Task<string> Login(HttpClient http, string email, string password = Password)
    {
        var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}

/// <summary>
/// Runs a scenario's own load until the runtime has compiled its path: a fresh process spends its first tens of seconds
/// under load compiling and recompiling the path's methods (tiered JIT with dynamic PGO: measured, about 20 s and 49,000
/// methods for transfers over HTTP, at a third of the server's CPU), which is not the figure a running node has.
/// </summary>
public static class Warmup
{
    /// <summary>The load in slices of <paramref name="slice"/> until one compiles fewer than 100 methods, or <paramref name="most"/> has passed; answers how long it took.</summary>
    public static async Task<TimeSpan> UntilCompiled(Func<Task<long>> compiledMethods, Func<TimeSpan, Task> load, TimeSpan slice, TimeSpan most)
    {
        var clock = Stopwatch.StartNew();
        var before = await compiledMethods();
        while (clock.Elapsed < most)
        {
            await load(slice);
            var now = await compiledMethods();
            if (now - before < 100)
            {
                break;
            }

            before = now;
        }

        return clock.Elapsed;
    }

    /// <summary>This process's methods compiled so far.</summary>
    public static Task<long> InProcess() => Task.FromResult(System.Runtime.JitInfo.GetCompiledMethodCount());

    /// <summary>The app's methods compiled so far, from its /metrics (readable from loopback).</summary>
    public static Func<Task<long>> Of(HttpClient http) => async () =>
    {
        var metrics = await http.GetStringAsync("/metrics");
        foreach (var line in metrics.Split('\n'))
        {
            // "dotnet_jit_compiled_methods_total{labels} value [timestamp]"
            if (line.StartsWith("dotnet_jit_compiled_methods", StringComparison.Ordinal) && line.Split(' ') is [_, var value, ..])
            {
                return (long)double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("The app's /metrics has no dotnet_jit_compiled_methods.");
    };
}

/// <summary>The wall clock the figures are measured against (server and bench share this machine's clock).</summary>
public static class Clock
{
    public static DateTime UtcNow => TimeProvider.System.GetUtcNow().UtcDateTime;
}
