using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

public sealed class PoolsModel(PoolQueries pools) : OrgPageModel
{
    public IReadOnlyList<PoolDto> Pools { get; private set; } = [];

    public IReadOnlyList<ProductConsumption> Consumption { get; private set; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<TransactionDto>> Recent { get; private set; } = new Dictionary<string, IReadOnlyList<TransactionDto>>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Pools = await pools.List(OrgId, ct);
        Consumption = await pools.Consumption(OrgId, ct);
        Recent = await pools.RecentByProduct(OrgId, Pools.Select(p => p.ProductCode), 10, ct);
        return Page();
    }

    /// <summary>The chart's figures, re-read when coverage changes live.</summary>
    public async Task<IActionResult> OnGetConsumptionAsync(CancellationToken ct) =>
        new JsonResult(await pools.Consumption(OrgId, ct), OutboxWriter.Json);
}
