using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Transfers;

/// <summary>The transfers part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class TransfersEndpoints
{
    public static ApiGroups MapTransfers(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapPost("/events/{eventId:int}/transfers", async (int orgId, int eventId, TransferRequest body, CurrentUser me, TransferToEvent transfer, CancellationToken ct) =>
        {
            var result = await transfer.Handle(orgId, eventId, body, me.Actor, ct);
            return ApiEndpoints.Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Transfers entitlements from the pool to the event. Final.");

        return groups;
    }
}
