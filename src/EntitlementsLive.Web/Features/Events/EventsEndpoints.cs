using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Events;

/// <summary>The events part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class EventsEndpoints
{
    public static ApiGroups MapEvents(this ApiGroups groups)
    {
        var manage = groups.Manage;
        var eventMember = groups.EventMember;
        var eventSync = groups.EventSync;

        manage.MapGet("/events/export", async (int orgId, string? format, string? status, bool? missingOnly, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Events(http.Response, orgId, format, EventQueries.ParseFilter(status), missingOnly ?? false, ct))
            .WithSummary("The events list (status=live|past|all, missingOnly) with required, allocated and missing per product, as CSV or XLSX.");

        manage.MapGet("/events", async (int orgId, string? status, bool? missingOnly, EventQueries events, CancellationToken ct) =>
            TypedResults.Ok(await events.List(orgId, EventQueries.ParseFilter(status), missingOnly ?? false, ct)))
            .WithSummary("Events with required, allocated and missing per product.");

        eventMember.MapGet("/entitlements", async (int orgId, int eventId, int? limit, string? cursor, EventQueries events, CurrentUser me, CancellationToken ct) =>
        {
            var details = await events.Details(orgId, eventId, await me.ManagesEntitlementsAsync(orgId, ct), ct, limit, cursor);
            var e = details.Event;
            return TypedResults.Ok(new
            {
                e.Id, e.Name, e.StartsAt, e.EndsAt, e.Status, e.Missing, e.CountedParticipants, e.ActivatedParticipants, e.Products,
                e.ExternalRef, e.ProductionStatus, e.TimeZone, details.Transactions, details.NextCursor,
            });
        }).WithSummary("One event's coverage, and a page of the transfers it received (limit, cursor) when the caller manages entitlements.");

        eventSync.MapPut("/events/by-ref/{externalRef}", async (int orgId, string externalRef, EventSyncRequest body, SyncEvent sync, CancellationToken ct) =>
        {
            var result = await sync.Handle(orgId, externalRef, body, ct);
            return result.Created
                ? Results.Created($"/api/orgs/{orgId}/events/{result.Event.Id}/entitlements", result.Event)
                : Results.Ok(result.Event);
        }).WithSummary("The platform's idempotent upsert of an event by its own reference: name, dates, production status, modules.");

        return groups;
    }
}
