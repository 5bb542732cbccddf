using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EntitlementsLive.Bench;

/// <summary>What the parent asks a worker once its transfers are done: which commits to count, and the database's figures.</summary>
public sealed record ScreenReportRequest(Dictionary<long, int> CommittedOn, long Pool, Dictionary<int, long[]> Events);

/// <summary>A worker's answer: latencies of the counted commits in tenths of a millisecond (value → screens), split by
/// whether the screen sits on the node that committed, the admin screens' missing transactions, and the screens whose
/// figures differ from the database's.</summary>
public sealed record ScreenReport(int Node, int Screens, Dictionary<int, long> Same, Dictionary<int, long> Cross, long Missing, int Differing);

/// <summary>
/// A load generator in its own process: `EntitlementsLive.Bench --screens-worker NODE_URL NODE_INDEX COUNT FIRST`, with
/// BENCH_ORG, BENCH_EVENT, BENCH_ADMIN_TOKEN and BENCH_TEAM_TOKEN in its environment. A process here may hold at most
/// 20,000 open files, so the cluster bench spreads its screens over several of these. It opens COUNT screens (one in
/// five an administrator's, the rest the event team's, numbered from FIRST), prints "ready OPEN FAILED", then answers
/// one "report {json}" line on stdin with "result {json}" and closes its screens.
/// </summary>
public static class ScreenWorker
{
    public const string Flag = "--screens-worker";
    public const string OrgVariable = "BENCH_ORG";
    public const string EventVariable = "BENCH_EVENT";
    public const string AdminTokenVariable = "BENCH_ADMIN_TOKEN";
    public const string TeamTokenVariable = "BENCH_TEAM_TOKEN";
    public const string Ready = "ready ";
    public const string ReportAsked = "report ";
    public const string Result = "result ";

    public static async Task<int> Run(string[] args)
    {
        var node = args[1];
        var nodeIndex = int.Parse(args[2], CultureInfo.InvariantCulture);
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var first = int.Parse(args[4], CultureInfo.InvariantCulture);
        var org = int.Parse(Environment.GetEnvironmentVariable(OrgVariable)!, CultureInfo.InvariantCulture);
        var eventId = int.Parse(Environment.GetEnvironmentVariable(EventVariable)!, CultureInfo.InvariantCulture);
        var adminToken = Environment.GetEnvironmentVariable(AdminTokenVariable)!;
        var teamToken = Environment.GetEnvironmentVariable(TeamTokenVariable)!;

        var screens = new Screen?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var admin = Screen.IsAdministrators(first + i);
            screens[i] = await Screen.OpenAsync(node, admin ? adminToken : teamToken, org, admin ? null : eventId, ct);
        });
        var open = screens.OfType<Screen>().ToList();
        Console.WriteLine(Ready + FormattableString.Invariant($"{open.Count} {count - open.Count}"));

        var line = await Console.In.ReadLineAsync();
        if (line is null || !line.StartsWith(ReportAsked, StringComparison.Ordinal))
        {
            return 1;
        }

        var request = JsonSerializer.Deserialize<ScreenReportRequest>(line[ReportAsked.Length..], Json)!;
        var report = await Collect(request, open, nodeIndex);
        Console.WriteLine(Result + JsonSerializer.Serialize(report, Json));
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (s, _) => await s.Connection.DisposeAsync());
        return 0;
    }

    /// <summary>A commit's key: its time to the microsecond (PostgreSQL keeps microseconds, a message carries ticks).</summary>
    public static long Key(long ticks) => (ticks + 5) / 10;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<ScreenReport> Collect(ScreenReportRequest request, List<Screen> screens, int nodeIndex)
    {
        // Each admin screen must hear every counted transaction (TransactionRecorded is never coalesced); 30 s at most.
        var admins = screens.Where(s => s.EventId is null).ToList();
        long Heard() => admins.Sum(s =>
        {
            lock (s.Latencies)
            {
                return (long)s.Latencies.Where(l => l.Type == "TransactionRecorded" && request.CommittedOn.ContainsKey(Key(l.CommittedTicks))).Select(l => l.CommittedTicks).Distinct().Count();
            }
        });
        var expected = (long)admins.Count * request.CommittedOn.Count;
        var clock = Stopwatch.StartNew();
        while (Heard() < expected && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
        }

        await PushScenario.Quiet();
        var same = new Dictionary<int, long>();
        var cross = new Dictionary<int, long>();
        foreach (var s in screens)
        {
            lock (s.Latencies)
            {
                foreach (var l in s.Latencies)
                {
                    if (request.CommittedOn.TryGetValue(Key(l.CommittedTicks), out var committedOn))
                    {
                        var bucket = committedOn == nodeIndex ? same : cross;
                        var tenths = (int)Math.Round(l.LatencyMs * 10);
                        bucket[tenths] = bucket.GetValueOrDefault(tenths) + 1;
                    }
                }
            }
        }

        var events = request.Events.ToDictionary(kv => kv.Key, kv => (kv.Value[0], (int)kv.Value[1]));
        var differing = screens.Count(s => !s.Agrees(request.Pool, events));
        return new ScreenReport(nodeIndex, screens.Count, same, cross, Math.Max(0, expected - Heard()), differing);
    }
}

/// <summary>The parent's side of a load generator: starts its process, reads its lines, asks for its report.</summary>
public sealed class ScreenWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ScreenWorkerProcess(Process process, int node)
    {
        _process = process;
        Node = node;
    }

    public int Node { get; }

    public static ScreenWorkerProcess Start(string url, int node, int count, int first, int org, int eventId, string adminToken, string teamToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { typeof(ScreenWorker).Assembly.Location, ScreenWorker.Flag, url, node.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), first.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[ScreenWorker.OrgVariable] = org.ToString(CultureInfo.InvariantCulture);
        info.Environment[ScreenWorker.EventVariable] = eventId.ToString(CultureInfo.InvariantCulture);
        info.Environment[ScreenWorker.AdminTokenVariable] = adminToken;
        info.Environment[ScreenWorker.TeamTokenVariable] = teamToken;
        info.Environment["DOTNET_gcServer"] = "0"; // several generators share two cores
        return new ScreenWorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start a load generator"), node);
    }

    public async Task<(int Open, int Failed)> ReadyAsync()
    {
        var parts = (await Line(ScreenWorker.Ready, TimeSpan.FromMinutes(10))).Split(' ');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public async Task<ScreenReport> ReportAsync(ScreenReportRequest request)
    {
        await _process.StandardInput.WriteLineAsync(ScreenWorker.ReportAsked + JsonSerializer.Serialize(request, ScreenWorker.Json));
        await _process.StandardInput.FlushAsync();
        return JsonSerializer.Deserialize<ScreenReport>(await Line(ScreenWorker.Result, TimeSpan.FromMinutes(3)), ScreenWorker.Json)!;
    }

    private async Task<string> Line(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await _process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }

        throw new InvalidOperationException($"a load generator ended (code {(_process.HasExited ? _process.ExitCode : -1)}) before saying \"{prefix.Trim()}\"");
    }

    public async ValueTask DisposeAsync()
    {
        // A generator not asked for its report reads the end of its input and stops.
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
