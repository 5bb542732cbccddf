using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Requests;

/// <summary>The requests part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class RequestsEndpoints
{
    public static ApiGroups MapRequests(this ApiGroups groups)
    {
        var manage = groups.Manage;
        var eventMember = groups.EventMember;

        eventMember.MapPost("/entitlement-requests", async (int orgId, int eventId, Requests.AskRequest? body, Requests.AskForEntitlements ask, CancellationToken ct) =>
        {
            var result = await ask.Handle(orgId, eventId, body ?? new Requests.AskRequest(null), ct);
            return result.Created
                ? Results.Created($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", result.Request)
                : Results.Ok(result.Request);
        }).WithSummary("The event's team (or an admin) asks an administrator to cover the event; the open request again when there is one; 409 event-covered.");

        eventMember.MapGet("/entitlement-requests", async (int orgId, int eventId, Requests.RequestQueries requests, CancellationToken ct) =>
            TypedResults.Ok(await requests.ForEvent(orgId, eventId, ct)))
            .WithSummary("The event's requests, newest first.");

        manage.MapGet("/entitlement-requests", async (int orgId, string? state, Requests.RequestQueries requests, CancellationToken ct) =>
            TypedResults.Ok(await requests.List(orgId, state, ct)))
            .WithSummary("The organization's requests (state=open|all), newest first.");

        manage.MapPost("/entitlement-requests/{requestId:long}/approve", async (int orgId, long requestId, Requests.ApproveBody body, Requests.ApproveRequest approve, CancellationToken ct) =>
            TypedResults.Ok(await approve.Handle(orgId, requestId, body, ct)))
            .WithSummary("Approves a request: Cover this event, executed (final); answers the request, the transfers and the shortfall.");

        manage.MapPost("/entitlement-requests/{requestId:long}/decline", async (int orgId, long requestId, Requests.DeclineBody body, Requests.DeclineRequest decline, CancellationToken ct) =>
            TypedResults.Ok(await decline.Handle(orgId, requestId, body, ct)))
            .WithSummary("Declines a request with a reason the event's team reads.");

        return groups;
    }
}
