using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The organization's pools: what each holds, its latest transactions and alert levels, and the consumption chart.</summary>
public sealed class PoolsModel(PoolsScreenQuery screens, PoolQueries pools, SetThresholds setThresholds) : OrgPageModel
{
    /// <summary>The pool whose details are open (after its levels were saved).</summary>
    [FromQuery(Name = "open")] public string? Open { get; set; }

    [BindProperty] public string ProductCode { get; set; } = "";

    public PoolsScreen Screen { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Screen = await screens.For(OrgId, ct);

    /// <summary>Sets one pool's alert levels from the form; a bad list changes nothing and says why (see <see cref="RefusedAsync"/>).</summary>
    public async Task<IActionResult> OnPostLevelsAsync(string? levels, CancellationToken ct) =>
        Said(PoolsScreen.LevelsSaved, PoolsScreen.Saved(ProductCode, await setThresholds.Handle(OrgId, ProductCode, SetThresholds.Parse(levels), ct)));

    protected override bool ShowsOnPage(DomainException refusal) => Handler == "Levels" ? refusal.Code is ErrorCodes.Validation : base.ShowsOnPage(refusal);

    protected override async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct) =>
        Handler == "Levels" ? Said(PoolsScreen.LevelsError, PoolsScreen.Refused(ProductCode, refusal)) : await base.RefusedAsync(refusal, ct);

    /// <summary>The chart's figures, re-read when coverage changes live.</summary>
    public async Task<IActionResult> OnGetConsumptionAsync(CancellationToken ct) => new JsonResult(await pools.Consumption(OrgId, ct), OutboxWriter.Json);

    private RedirectToPageResult Said(string key, string message)
    {
        TempData[key] = message;
        return RedirectToPage(new { orgId = OrgId, open = ProductCode });
    }
}
