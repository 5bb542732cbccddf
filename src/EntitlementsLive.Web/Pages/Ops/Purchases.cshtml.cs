using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops record a purchase from a contract, crediting an organization's pool.</summary>
public sealed class PurchasesModel(CurrentUser me, OrganizationQueries organizations, ProductCatalog catalog, RecordPurchase purchase)
    : PoolCreditForm(organizations, catalog)
{
    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Record(async () =>
    {
        var t = (await purchase.Handle(OrganizationId, new PurchaseRequest(ProductCode, Quantity, Reference, IdempotencyKey), me.Actor, ct)).Transaction;
        var organization = await OrganizationNameAsync(ct);
        return FormattableString.Invariant($"Recorded {t.Quantity:N0} {t.ProductName} for {organization} ({t.Reference}). Available now: {t.BalanceAfter:N0}.");
    }, ct);
}
