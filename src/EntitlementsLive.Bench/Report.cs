using System.Globalization;
using System.Text.Json;

namespace EntitlementsLive.Bench;

public sealed record Figure(string Scenario, string Metric, double Value, string Unit, string? Target = null, bool? Met = null);

/// <summary>Every figure of the run, printed as one table and written as JSON.</summary>
public sealed class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly List<Figure> _figures = [];
    private readonly Dictionary<string, object?> _details = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public void Add(string scenario, string metric, double value, string unit, string? target = null, bool? met = null)
    {
        _figures.Add(new Figure(scenario, metric, Math.Round(value, 3), unit, target, met));
        Console.WriteLine(FormattableString.Invariant($"  {scenario} · {metric}: {Format(value)} {unit}{(target is null ? "" : $"  (target {target}: {(met == true ? "met" : "not met")})")}"));
    }

    public void Detail(string key, object? value) => _details[key] = value;

    public bool Has(string scenario) => _figures.Exists(f => f.Scenario == scenario && !double.IsNaN(f.Value));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-12} {"metric",-52} {"value",14} {"unit",-12} target");
        Console.WriteLine(new string('-', 110));
        foreach (var f in _figures)
        {
            var target = f.Target is null ? "" : $"{f.Target} {(f.Met == true ? "✔ met" : "✘ not met")}";
            Console.WriteLine($"{f.Scenario,-12} {f.Metric,-52} {Format(f.Value),14} {f.Unit,-12} {target}");
        }
    }

    public async Task WriteAsync(string path, object machine)
    {
        var json = new { machine, figures = _figures, details = _details };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, Json));
    }

    private static string Format(double value) =>
        double.IsNaN(value) ? "n/a" : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}
