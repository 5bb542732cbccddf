using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

public sealed class PoolsModel(PoolQueries pools, AlertQueries alerts, SetThresholds setThresholds, Features.Forecasts.ForecastQueries forecasts) : OrgPageModel
{
    public const string LevelsSaved = "LevelsSaved";

    public const string LevelsError = "LevelsError";

    /// <summary>Each pool's alert levels, as the form shows them ("50, 10%").</summary>
    public IReadOnlyDictionary<string, ThresholdsDto> Levels { get; private set; } = new Dictionary<string, ThresholdsDto>();


    public IReadOnlyList<PoolDto> Pools { get; private set; } = [];

    public Features.Forecasts.ForecastDto Forecast { get; private set; } = Features.Forecasts.ForecastDto.Empty;

    /// <summary>The pool whose details are open (after its levels were saved).</summary>
    [FromQuery(Name = "open")]
    public string? Open { get; set; }

    public IReadOnlyList<ProductConsumption> Consumption { get; private set; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<TransactionDto>> Recent { get; private set; } = new Dictionary<string, IReadOnlyList<TransactionDto>>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Pools = await pools.List(OrgId, ct);
        Consumption = await pools.Consumption(OrgId, ct);
        Recent = await pools.RecentByProduct(OrgId, Pools.Select(p => p.ProductCode), 10, ct);
        Levels = (await alerts.Thresholds(OrgId, ct)).ToDictionary(t => t.ProductCode, StringComparer.Ordinal);
        Forecast = await forecasts.ForOrganization(OrgId, ct);
        return Page();
    }

    /// <summary>Sets one pool's alert levels from the form; a bad list changes nothing and says why.</summary>
    public async Task<IActionResult> OnPostLevelsAsync(string productCode, string? levels, CancellationToken ct)
    {
        try
        {
            var saved = await setThresholds.Handle(OrgId, productCode, SetThresholds.Parse(levels), ct);
            TempData[LevelsSaved] = saved.Levels.Count == 0
                ? $"{productCode}: no alert levels."
                : $"{productCode}: an alert is raised when available falls to {string.Join(" or ", saved.Levels.Select(l => l.LevelNow.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} or below.";
        }
        catch (EntitlementsLive.Domain.DomainException ex) when (ex.Code is EntitlementsLive.Domain.ErrorCodes.Validation)
        {
            TempData[LevelsError] = $"{productCode}: {ex.Message} Nothing was changed.";
        }

        return RedirectToPage(new { orgId = OrgId, open = productCode });
    }

    /// <summary>The chart's figures, re-read when coverage changes live.</summary>
    public async Task<IActionResult> OnGetConsumptionAsync(CancellationToken ct) =>
        new JsonResult(await pools.Consumption(OrgId, ct), OutboxWriter.Json);
}
