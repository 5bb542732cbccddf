using System.Diagnostics;
using System.Runtime.InteropServices;
using EntitlementsLive.Bench;

// scripts/bench [--quick] [--connections N] [--only push,ledger,ingestion,plans,forecast,pages,alerts] [--out bench-results.json]
// scripts/bench --cluster [--quick] [--connections N]: the push scenario through both nodes of scripts/cluster (started by scripts/bench)
if (args is [ScreenWorker.Flag, ..])
{
    return await ScreenWorker.Run(args);
}

var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: scripts/bench [--quick] [--connections N] [--only push,ledger,ingestion,plans,forecast,pages,alerts] [--cluster] [--keep] [--out FILE]");
    return 2;
}

var webDll = Path.Combine(AppContext.BaseDirectory, "EntitlementsLive.Web.dll");
var work = Path.Combine(Path.GetTempPath(), "entitlementslive-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
var machine = new
{
    os = RuntimeInformation.OSDescription,
    cpus = Environment.ProcessorCount,
    cpuModel = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() : null,
    memoryGiB = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
    dotnet = RuntimeInformation.FrameworkDescription,
    date = Clock.UtcNow,
    options.Quick,
    options.Connections,
};
Console.WriteLine($"EntitlementsLive benchmark: {(options.Quick ? "quick" : "full")} run, {options.Connections:N0} connections, {machine.cpus} CPUs ({machine.cpuModel}), work folder {work}");
var report = new Report();
var total = Stopwatch.StartNew();
var failed = new List<string>();

async Task Step(string name, Func<Task> run)
{
    Console.WriteLine($"· {name}");
    var clock = Stopwatch.StartNew();
    try
    {
        await run();
    }
    catch (Exception ex)
    {
        failed.Add(name);
        Console.Error.WriteLine($"  {name} failed: {ex}");
    }

    Console.WriteLine(FormattableString.Invariant($"  ({clock.Elapsed.TotalSeconds:0.0} s)"));
}

try
{
    if (options.Scenarios.Contains("ledger"))
    {
        await Step("ledger throughput, in process", () => LedgerScenario.RunInProcess(options, report, work));
    }

    if (options.Scenarios.Overlaps(["push", "ingestion", "ledger"]))
    {
        var file = Path.Combine(work, "live.db");
        World world;
        await using (var data = await InProcess.CreateAsync(file))
        {
            world = await World.CreateAsync(data);
        }

        await using var app = await AppProcess.StartAsync(webDll, file);
        var tokens = await PushScenario.Tokens(world, app.BaseUrl);
        if (options.Scenarios.Contains("push"))
        {
            await Step($"push at scale and against polling ({options.Connections:N0} clients)", () => PushScenario.Run(options, report, world, app, tokens));
        }

        if (options.Scenarios.Contains("ledger"))
        {
            await Step("ledger throughput over HTTP", () => LedgerScenario.RunHttp(options, report, app, world.Admins[world.Organizations[0]], world.Organizations[0], world.Events[world.Organizations[0]]));
        }

        if (options.Scenarios.Contains("ingestion"))
        {
            await Step($"ingestion of {options.IngestionChanges:N0} participant changes", () => IngestionScenario.Run(options, report, world, app, tokens, pass: 1));
            await Step("ingestion again, on the server that has run it once", () => IngestionScenario.Run(options, report, world, app, tokens, pass: 2));
        }
    }

    if (options.Scenarios.Contains("plans"))
    {
        await Step("coverage plans: plan and execute over many red events", () => PlansScenario.Run(options, report, work));
    }

    if (options.Scenarios.Contains("forecast"))
    {
        await Step("forecast backtest on the demo data (30, 14 and 7 days before each past event's start)", () => ForecastScenario.Run(report, work));
    }

    if (options.Scenarios.Contains("pages"))
    {
        await Step("pages at size", () => PagesScenario.Run(options, report, work, webDll));
    }

    if (options.Scenarios.Contains(ClusterScenario.Name))
    {
        await Step("push through two nodes (scripts/cluster): same-node and cross-node", () => ClusterScenario.Run(options, report));
    }

    if (options.Scenarios.Contains("alerts"))
    {
        await Step("alerts: ledger commit to screen and to webhook", () => AlertsScenario.Run(options, report, work, webDll));
    }
}
finally
{
    try
    {
        if (options.Keep)
        {
            Console.WriteLine($"Work folder kept: {work}");
        }
        else
        {
            Directory.Delete(work, recursive: true);
        }
    }
    catch (IOException)
    {
    }
}

report.Print();
await report.WriteAsync(options.Output, machine);
Console.WriteLine();
Console.WriteLine(FormattableString.Invariant($"Whole run: {total.Elapsed.TotalMinutes:0.0} min. Figures written to {Path.GetFullPath(options.Output)}."));

// A smoke run (CI) asserts only that every scenario produced figures, never a wall-clock threshold.
var missing = options.Scenarios.Where(s => !report.Has(s)).ToList();
var diverged = report.Figures.Where(f => f.Metric.StartsWith("screens whose figures differ", StringComparison.Ordinal) && f.Value != 0).ToList();
if (failed.Count > 0 || missing.Count > 0 || diverged.Count > 0)
{
    Console.Error.WriteLine($"benchmark incomplete: failed steps [{string.Join(", ", failed)}], scenarios without figures [{string.Join(", ", missing)}], diverged {diverged.Count}");
    return 1;
}

return 0;
