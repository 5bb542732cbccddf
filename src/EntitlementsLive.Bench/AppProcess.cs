using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace EntitlementsLive.Bench;

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

    /// <summary>Kills the app at once (SIGKILL): no shutdown, no flush, as a power cut or the OOM killer would.</summary>
    public async Task CrashAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

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
        foreach (var arg in new[] { webDll, "--urls", url, "--Database:SeedDemoData=false",
                     "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Warning",
                     "--SignIn:PermitsPerMinute=1000000" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in BenchDatabase.Settings(database))
        {
            info.ArgumentList.Add($"--{key}={value}");
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
    public long ResidentBytes() => ResidentBytesOf(_process.Id);

    /// <summary>CPU time (user + system) the app used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Resident memory of any process of this machine (/proc), in bytes.</summary>
    public static long ResidentBytesOf(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
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

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
