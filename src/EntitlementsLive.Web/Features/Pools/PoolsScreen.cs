using System.Globalization;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Forecasts;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Pools;

/// <summary>
/// The pools tab: each pool with its latest transactions, its alert levels and its forecast, and the consumption chart's
/// figures; with the words it says once a pool's levels are saved or refused.
/// </summary>
public sealed record PoolsScreen(
    IReadOnlyList<PoolDto> Pools,
    IReadOnlyList<ProductConsumption> Consumption,
    IReadOnlyDictionary<string, IReadOnlyList<TransactionDto>> Recent,
    IReadOnlyDictionary<string, ThresholdsDto> Levels,
    ForecastDto Forecast)
{
    /// <summary>The keys of what the tab says after its levels form, carried through the redirect.</summary>
    public const string LevelsSaved = "LevelsSaved";

    public const string LevelsError = "LevelsError";

    /// <summary>Each pool's details list this many of its latest transactions.</summary>
    public const int RecentTransactions = 10;

    /// <summary>A pool's alert levels as its form shows them ("50, 10%"), empty when it has none.</summary>
    public string LevelsOf(string productCode) => Levels.TryGetValue(productCode, out var set) ? SetThresholds.Write(set) : "";

    /// <summary>What the tab says once a pool's levels are saved.</summary>
    public static string Saved(string productCode, ThresholdsDto saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        return saved.Levels.Count == 0
            ? $"{productCode}: no alert levels."
            : $"{productCode}: an alert is raised when available falls to {string.Join(" or ", saved.Levels.Select(l => l.LevelNow.ToString("N0", CultureInfo.InvariantCulture)))} or below.";
    }

    /// <summary>What the tab says when a pool's levels are refused.</summary>
    public static string Refused(string productCode, DomainException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return $"{productCode}: {refusal.Message} Nothing was changed.";
    }
}

/// <summary>The pools tab's one query.</summary>
public sealed class PoolsScreenQuery(PoolQueries pools, AlertQueries alerts, ForecastQueries forecasts)
{
    public async Task<PoolsScreen> For(int organizationId, CancellationToken ct)
    {
        var list = await pools.List(organizationId, ct);
        var consumption = await pools.Consumption(organizationId, ct);
        var recent = await pools.RecentByProduct(organizationId, list.Select(p => p.ProductCode), PoolsScreen.RecentTransactions, ct);
        var levels = (await alerts.Thresholds(organizationId, ct)).ToDictionary(t => t.ProductCode, StringComparer.Ordinal);
        return new PoolsScreen(list, consumption, recent, levels, await forecasts.ForOrganization(organizationId, ct));
    }
}
