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

    public HashSet<string> Scenarios { get; private set; } = new(["push", "ledger", "ingestion", "pages"], StringComparer.OrdinalIgnoreCase);

    public TimeSpan PushDuration => Quick ? TimeSpan.FromSeconds(8) : TimeSpan.FromSeconds(30);

    public TimeSpan PollingDuration => Quick ? TimeSpan.FromSeconds(12) : TimeSpan.FromSeconds(30);

    public TimeSpan LedgerDuration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5);

    public int IngestionChanges => Quick ? 100_000 : 1_000_000;

    public int SizeLedgerRows => Quick ? 100_000 : 1_000_000;

    public int SizeEvents => Quick ? 1_000 : 10_000;

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
                case "--out" when i + 1 < args.Length: o.Output = args[++i]; break;
                case "--only" when i + 1 < args.Length: o.Scenarios = new(args[++i].Split(','), StringComparer.OrdinalIgnoreCase); break;
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

/// <summary>The app under test, in its own process (Release build), on a file of our choosing.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AppProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Pid => _process.Id;

    public static async Task<AppProcess> StartAsync(string webDll, string database, string? extraArgs = null)
    {
        var port = FreePort();
        var url = FormattableString.Invariant($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The bench signs in thousands of screens from one address: the per-address sign-in limit is lifted here.
        foreach (var arg in new[] { webDll, "--urls", url, "--Database:Path=" + database, "--Database:SeedDemoData=false",
                     "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Warning",
                     "--SignIn:PermitsPerMinute=1000000" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in (extraArgs ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ThreadPool_MinThreads"] = "32";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the app");
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && (line.Contains("ERR", StringComparison.Ordinal) || line.Contains("FTL", StringComparison.Ordinal))) { Console.Error.WriteLine("  app: " + line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Console.Error.WriteLine("  app: " + line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return new AppProcess(process, url);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException("the app exited with code " + process.ExitCode);
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the app did not become ready in 90 s");
    }

    /// <summary>Resident memory of the app, in bytes.</summary>
    public long ResidentBytes() => ReadStatus("VmRSS:");

    /// <summary>CPU time (user + system) the app used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

    public static async Task<string> Login(HttpClient http, string email)
    {
        var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}

/// <summary>The wall clock the figures are measured against (server and bench share this machine's clock).</summary>
public static class Clock
{
    public static DateTime UtcNow => TimeProvider.System.GetUtcNow().UtcDateTime;
}
