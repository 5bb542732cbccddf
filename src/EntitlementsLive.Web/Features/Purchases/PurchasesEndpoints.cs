using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Purchases;

/// <summary>The purchases part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class PurchasesEndpoints
{
    public static ApiGroups MapPurchases(this ApiGroups groups)
    {
        var ops = groups.Ops;

        ops.MapPost("/purchases", async (int orgId, PurchaseRequest body, CurrentUser me, RecordPurchase purchase, CancellationToken ct) =>
        {
            var result = await purchase.Handle(orgId, body, me.Actor, ct);
            return ApiEndpoints.Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Ops: records a purchase, crediting the organization's pool.");

        ops.MapPost("/adjustments", async (int orgId, AdjustmentRequest body, CurrentUser me, RecordAdjustment adjust, CancellationToken ct) =>
        {
            var result = await adjust.Handle(orgId, body, me.Actor, ct);
            return ApiEndpoints.Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Ops: a compensating entry that corrects a purchase (signed quantity, with a reason). Never an edit.");

        return groups;
    }
}
