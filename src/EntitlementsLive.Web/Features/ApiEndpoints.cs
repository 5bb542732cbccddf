using EntitlementsLive.Web.Features.Auth;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Features;

/// <summary>The JSON API of API.md. Each endpoint checks access, calls the handler the pages use, and returns.</summary>
public static class ApiEndpoints
{
    /// <summary>10,000 changes of about 200 bytes each, with room to spare.</summary>
    public const long MaxBatchBytes = 4 * 1024 * 1024;

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
            var details = await events.Details(orgId, eventId, withTransactions: await me.IsAdminAsync(orgId, ct), ct);
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

        org.MapPost("/events/{eventId:int}/participant-changes", async (int orgId, int eventId, ParticipantChangesRequest body, CurrentUser me,
            SubmitParticipantChanges submit, CancellationToken ct) =>
        {
            await me.RequireChangeSenderAsync(orgId, ct);
            var batch = await submit.Handle(orgId, eventId, body, me.Principal.Identity?.Name ?? me.Actor, ct);
            return TypedResults.Accepted($"/api/orgs/{orgId}/participant-batches/{batch.BatchId}", batch);
        }).WithRequestTimeout(TimeSpan.FromSeconds(60)).WithMetadata(new RequestSizeLimitAttribute(MaxBatchBytes))
          .WithSummary("Stores a batch of participant changes (validated whole) and applies it in the background.");

        org.MapGet("/participant-batches/{batchId}", async (int orgId, string batchId, CurrentUser me, BatchQueries batches, CancellationToken ct) =>
        {
            await me.RequireChangeSenderAsync(orgId, ct);
            return TypedResults.Ok(await batches.Get(orgId, batchId, ct));
        }).WithSummary("A batch's progress: accepted, processing, done or failed (with the reason).");

        org.MapGet("/integration-keys", async (int orgId, CurrentUser me, IntegrationKeys keys, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            return TypedResults.Ok(await keys.List(orgId, ct));
        }).WithSummary("The organization's integration keys (never their secrets).");

        org.MapPost("/integration-keys", async (int orgId, CreateKeyRequest body, CurrentUser me, IntegrationKeys keys, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            var created = await keys.Create(orgId, body, me.Actor, ct);
            return TypedResults.Created($"/api/orgs/{orgId}/integration-keys/{created.Key.Id}", new { key = created.Key, secret = created.Secret });
        }).WithSummary("Creates a key for a registration system; the secret is shown once.");

        org.MapDelete("/integration-keys/{keyId:int}", async (int orgId, int keyId, CurrentUser me, IntegrationKeys keys, CancellationToken ct) =>
        {
            await me.RequireAdminAsync(orgId, ct);
            await keys.Revoke(orgId, keyId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revokes a key at once.");

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
