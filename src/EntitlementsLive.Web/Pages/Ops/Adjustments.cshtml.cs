using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops correct a purchase recorded wrong (rule 10), through the same handler as the API.</summary>
public sealed class AdjustmentsModel(CurrentUser me, OrganizationQueries organizations, ProductCatalog catalog, RecordAdjustment adjust)
    : PoolCreditForm(organizations, catalog)
{
    [BindProperty]
    public string? Reason { get; set; }

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Record(async () =>
    {
        var t = (await adjust.Handle(OrganizationId, new AdjustmentRequest(ProductCode, Quantity, Reason, Reference, IdempotencyKey), me.Actor, ct)).Transaction;
        return $"Correction of {Names.WithSign(t.PoolChange)} {t.ProductName} recorded ({t.Reference}). Available now: {t.BalanceAfter:N0}.";
    }, ct);
}
