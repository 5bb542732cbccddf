using EntitlementsLive.Web.Features.Auth;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using EntitlementsLive.Web.Features.Transfers;

namespace EntitlementsLive.Web.Features;

/// <summary>The JSON API of API.md. Each endpoint checks access, calls the handler the pages use, and returns.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", LoginEndpoint.Handle).AllowAnonymous().WithTags("Auth")
            .WithSummary("Exchanges an email and password for a bearer token.");

        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Entitlements");

        api.MapGet("/orgs", async (CurrentUser me, OrganizationQueries orgs, CancellationToken ct) =>
            TypedResults.Ok(await orgs.Mine(await me.MembershipsAsync(ct), ct)))
            .WithSummary("The caller's organizations.");

        var org = api.MapGroup("/orgs/{orgId:int}");

        org.MapGet("/pools", async (int orgId, CurrentUser me, PoolQueries pools, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            return TypedResults.Ok(await pools.List(orgId, ct));
        }).WithSummary("Purchased, transferred and available per product.");

        org.MapGet("/events", async (int orgId, string? status, bool? missingOnly, CurrentUser me, EventQueries events, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            return TypedResults.Ok(await events.List(orgId, EventQueries.ParseFilter(status), missingOnly ?? false, ct));
        }).WithSummary("Events with required, allocated and missing per product.");

        org.MapGet("/events/{eventId:int}/entitlements", async (int orgId, int eventId, CurrentUser me, EventQueries events, CancellationToken ct) =>
        {
            await me.RequireEventReaderAsync(orgId, eventId, ct);
            var details = await events.Details(orgId, eventId, ct);
            var e = details.Event;
            return TypedResults.Ok(new
            {
                e.Id, e.Name, e.StartsAt, e.EndsAt, e.Status, e.Missing, e.CountedParticipants, e.ActivatedParticipants, e.Products,
                details.Transactions,
            });
        }).WithSummary("One event's coverage and the transfers it received.");

        org.MapPost("/events/{eventId:int}/transfers", async (int orgId, int eventId, TransferRequest body, CurrentUser me, TransferToEvent transfer, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            var result = await transfer.Handle(orgId, eventId, body, me.Actor, ct);
            return result.Created
                ? Results.Created($"/api/orgs/{orgId}/transactions?cursor={result.Transaction.Id + 1}&limit=1", new { transaction = result.Transaction })
                : Results.Ok(new { transaction = result.Transaction });
        }).WithSummary("Transfers entitlements from the pool to the event. Final.");

        org.MapGet("/transactions", async (int orgId, int? limit, string? cursor, string? productCode, int? eventId, string? kind,
            CurrentUser me, TransactionQueries history, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            return TypedResults.Ok(await history.Page(orgId, new TransactionFilter(productCode, eventId, kind), limit, cursor, ct));
        }).WithSummary("The transaction history, newest first, keyset-paged.");

        org.MapGet("/transactions/export", async (int orgId, string? format, string? productCode, int? eventId, string? kind,
            CurrentUser me, TransactionExport export, HttpContext http, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            await export.WriteAsync(http.Response, orgId, format, new TransactionFilter(productCode, eventId, kind), ct);
        }).WithSummary("The whole history as CSV or XLSX, streamed.");

        org.MapPost("/purchases", async (int orgId, PurchaseRequest body, CurrentUser me, RecordPurchase purchase, CancellationToken ct) =>
        {
            await me.RequireOpsAsync(ct);
            var result = await purchase.Handle(orgId, body, me.Actor, ct);
            return result.Created
                ? Results.Created($"/api/orgs/{orgId}/transactions?cursor={result.Transaction.Id + 1}&limit=1", new { transaction = result.Transaction })
                : Results.Ok(new { transaction = result.Transaction });
        }).WithSummary("Ops: records a purchase, crediting the organization's pool.");

        org.MapGet("/memberships", async (int orgId, CurrentUser me, Memberships members, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            return TypedResults.Ok(await members.List(orgId, ct));
        }).WithSummary("The organization's administrators and event teams.");

        org.MapDelete("/memberships/{membershipId:int}", async (int orgId, int membershipId, CurrentUser me, Memberships members, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            await members.Remove(orgId, membershipId, me.UserId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Removes a membership; it takes effect on open live connections too.");

        return app;
    }
}
