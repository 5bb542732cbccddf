using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Auth;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Features;

/// <summary>The JSON API of API.md. Access is declared per route group; each endpoint calls the handler the pages use, and returns.</summary>
public static class ApiEndpoints
{
    /// <summary>10,000 changes of about 200 bytes each, with room to spare.</summary>
    public const long MaxBatchBytes = 4 * 1024 * 1024;

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", LoginEndpoint.Handle).AllowAnonymous().RequireRateLimiting(Infrastructure.SecurityHeaders.SignInPolicy).WithTags("Auth")
            .WithSummary("Exchanges an email and password for a bearer token.");

        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Entitlements");

        api.MapGet("/orgs", async (CurrentUser me, OrganizationQueries orgs, CancellationToken ct) =>
            TypedResults.Ok(await orgs.Mine(await me.MembershipsAsync(ct), ct)))
            .WithSummary("The caller's organizations.");

        api.MapPost("/orgs", async (CreateOrganizationRequest body, CreateOrganization create, CancellationToken ct) =>
        {
            var result = await create.Handle(body, ct);
            return result.Created
                ? Results.Created($"/api/orgs/{result.Organization.Id}", result.Organization)
                : Results.Ok(result.Organization);
        }).RequireAuthorization(Policies.Ops).WithSummary("Ops: creates an organization (entitlements not yet activated); the same key again creates nothing.");

        api.MapGet("/products", async (ProductCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok((await catalog.List(ct)).Select(AddProduct.ToDto)))
            .WithSummary("The product catalog: the built-in products and any Ops added.");

        api.MapPost("/products", async (AddProductRequest body, AddProduct add, CancellationToken ct) =>
        {
            var product = await add.Handle(body, ct);
            return TypedResults.Created($"/api/products/{product.Code}", product);
        }).RequireAuthorization(Policies.Ops).WithSummary("Ops: adds a product to the catalog.");

        // Who may call what is declared here, once per group; the endpoints below only call their handler.
        var manage = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.EntitlementsManager);
        var eventMember = api.MapGroup("/orgs/{orgId:int}/events/{eventId:int}").RequireAuthorization(Policies.EventMember);
        var changeSender = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.ChangeSender);
        var ops = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.Ops);
        var eventSync = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.EventSync);
        var orgAdmin = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.OrgAdmin);

        manage.MapGet("/pools", async (int orgId, PoolQueries pools, CancellationToken ct) =>
            TypedResults.Ok(await pools.List(orgId, ct)))
            .WithSummary("Purchased, transferred and available per product.");

        manage.MapGet("/pools/export", async (int orgId, string? format, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Pools(http.Response, orgId, format, ct))
            .WithSummary("The pools overview (purchased, transferred, available, required and missing per product) as CSV or XLSX.");

        manage.MapGet("/events/export", async (int orgId, string? format, string? status, bool? missingOnly, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Events(http.Response, orgId, format, EventQueries.ParseFilter(status), missingOnly ?? false, ct))
            .WithSummary("The events list (status=live|past|all, missingOnly) with required, allocated and missing per product, as CSV or XLSX.");

        manage.MapGet("/pools/{productCode}/thresholds", async (int orgId, string productCode, Alerts.AlertQueries alerts, CancellationToken ct) =>
            TypedResults.Ok(await alerts.Thresholds(orgId, productCode, ct)))
            .WithSummary("The pool's alert levels, each with what it means in entitlements today.");

        manage.MapPut("/pools/{productCode}/thresholds", async (int orgId, string productCode, Alerts.ThresholdsRequest body, Alerts.SetThresholds set, CancellationToken ct) =>
            TypedResults.Ok(await set.Handle(orgId, productCode, body, ct)))
            .WithSummary("Sets the pool's alert levels ({ available } or { percentOfPurchased }); the pool is checked against them at once.");

        manage.MapGet("/alerts", async (int orgId, string? state, Alerts.AlertQueries alerts, CancellationToken ct) =>
            TypedResults.Ok(await alerts.List(orgId, state, ct)))
            .WithSummary("The organization's alerts, newest first: state=open (default) or all.");

        manage.MapGet("/alerts/count", async (int orgId, Alerts.AlertQueries alerts, Requests.RequestQueries requests, CancellationToken ct) =>
        {
            var (open, asked) = (await alerts.OpenCount(orgId, ct), await requests.OpenCount(orgId, ct));
            return TypedResults.Ok(new { open = open + asked, alerts = open, requests = asked });
        }).WithSummary("How many alerts and requests are open (the bell's figure: open is both).");

        manage.MapGet("/alert-settings", async (int orgId, Alerts.AlertQueries alerts, CancellationToken ct) => TypedResults.Ok(await alerts.Settings(orgId, ct)))
            .WithSummary("How many days before its start a live event missing entitlements raises an alert.");

        manage.MapPut("/alert-settings", async (int orgId, Alerts.AlertSettingsRequest body, Alerts.SetAlertSettings set, CancellationToken ct) =>
            TypedResults.Ok(await set.Handle(orgId, body, ct)))
            .WithSummary("Sets the warning window (uncoveredSoonDays, 1 to 365); the organization's events are checked against it at once.");

        manage.MapGet("/events", async (int orgId, string? status, bool? missingOnly, EventQueries events, CancellationToken ct) =>
            TypedResults.Ok(await events.List(orgId, EventQueries.ParseFilter(status), missingOnly ?? false, ct)))
            .WithSummary("Events with required, allocated and missing per product.");

        eventMember.MapGet("/entitlements", async (int orgId, int eventId, int? limit, string? cursor, EventQueries events, CancellationToken ct) =>
        {
            var details = await events.Details(orgId, eventId, ct, limit, cursor);
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

        manage.MapPost("/events/{eventId:int}/transfers", async (int orgId, int eventId, TransferRequest body, CurrentUser me, TransferToEvent transfer, CancellationToken ct) =>
        {
            var result = await transfer.Handle(orgId, eventId, body, me.Actor, ct);
            return Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Transfers entitlements from the pool to the event. Final.");

        manage.MapPost("/coverage-plans", async (int orgId, Plans.CoveragePlanRequest body, CurrentUser me, Plans.MakeCoveragePlan make, CancellationToken ct) =>
        {
            var plan = await make.Handle(orgId, body, me.Actor, ct);
            return Results.Created($"/api/orgs/{orgId}/coverage-plans/{plan.PlanId}", plan);
        }).WithSummary("Plans transfers that cover what the events miss (soonest first, live before past, within each pool). Changes nothing.");

        manage.MapPost("/coverage-plans/{planId}/execute", async (int orgId, string planId, Plans.ExecutePlanRequest body, CurrentUser me,
            Plans.ExecuteCoveragePlan execute, CancellationToken ct) =>
        {
            var result = await execute.Handle(orgId, planId, body, me.Actor, ct);
            return result.Created
                ? Results.Created($"/api/orgs/{orgId}/transactions", new { result.Transactions })
                : Results.Ok(new { result.Transactions });
        }).WithSummary("Executes a plan as final transfers, together; 409 plan-stale when something it depends on changed since it was made.");

        manage.MapGet("/forecast", async (int orgId, Forecasts.ForecastQueries forecasts, CancellationToken ct) =>
            TypedResults.Ok(await forecasts.ForOrganization(orgId, ct)))
            .WithSummary("Where each live event is heading at its start (a range and its basis, or why there is no number), and each pool against that need.");

        api.MapGet("/ops/forecast", async (Forecasts.ForecastQueries forecasts, CancellationToken ct) =>
            TypedResults.Ok(await forecasts.Shortfalls(ct)))
            .RequireAuthorization(Policies.Ops).WithSummary("Ops: the organizations whose pools are projected short, with those pools.");

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

        api.MapGet("/me/notifications", async (CurrentUser me, Notifications.NotificationSettingsStore settings, CancellationToken ct) =>
            TypedResults.Ok(await settings.Get(me.UserId ?? throw new Domain.DomainException(Domain.ErrorCodes.Forbidden, "Only a signed-in person has notifications."), ct)))
            .WithSummary("Which notifications you receive by mail, and whether mail is configured.");

        api.MapPut("/me/notifications", async (Notifications.NotificationSettingsRequest body, CurrentUser me, Notifications.NotificationSettingsStore settings, CancellationToken ct) =>
            TypedResults.Ok(await settings.Set(me.UserId ?? throw new Domain.DomainException(Domain.ErrorCodes.Forbidden, "Only a signed-in person has notifications."), body, ct)))
            .WithSummary("Chooses which notifications you receive by mail: alertRaised, alertResolved, requests.");

        manage.MapGet("/transactions", async (int orgId, int? limit, string? cursor, string? productCode, int? eventId, string? kind,
            TransactionQueries history, CancellationToken ct) =>
            TypedResults.Ok(await history.Page(orgId, new TransactionFilter(productCode, eventId, kind), limit, cursor, ct)))
            .WithSummary("The transaction history, newest first, keyset-paged.");

        manage.MapGet("/transactions/export", async (int orgId, string? format, string? productCode, int? eventId, string? kind,
            TransactionExport export, HttpContext http, CancellationToken ct) =>
            await export.WriteAsync(http.Response, orgId, format, new TransactionFilter(productCode, eventId, kind), ct))
            .WithSummary("The whole history as CSV or XLSX, streamed.");

        ops.MapPost("/purchases", async (int orgId, PurchaseRequest body, CurrentUser me, RecordPurchase purchase, CancellationToken ct) =>
        {
            var result = await purchase.Handle(orgId, body, me.Actor, ct);
            return Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Ops: records a purchase, crediting the organization's pool.");

        ops.MapPut("/activation", async (int orgId, ActivationRequest body, SetActivation activation, CancellationToken ct) =>
            TypedResults.Ok(await activation.Handle(orgId, body, ct)))
            .WithSummary("Ops: activates or deactivates the organization's entitlements; every row is kept.");

        ops.MapPost("/adjustments", async (int orgId, AdjustmentRequest body, CurrentUser me, RecordAdjustment adjust, CancellationToken ct) =>
        {
            var result = await adjust.Handle(orgId, body, me.Actor, ct);
            return Recorded(orgId, result.Transaction, result.Created);
        }).WithSummary("Ops: a compensating entry that corrects a purchase (signed quantity, with a reason). Never an edit.");

        changeSender.MapPost("/events/{eventId:int}/participant-changes", async (int orgId, int eventId, ParticipantChangesRequest body, CurrentUser me,
            SubmitParticipantChanges submit, CancellationToken ct) =>
        {
            var batch = await submit.Handle(orgId, eventId, body, me.Principal.Identity?.Name ?? me.Actor, ct);
            return TypedResults.Accepted($"/api/orgs/{orgId}/participant-batches/{batch.BatchId}", batch);
        }).WithRequestTimeout(TimeSpan.FromSeconds(60)).WithMetadata(new RequestSizeLimitAttribute(MaxBatchBytes))
          .WithSummary("Stores a batch of participant changes (validated whole) and applies it in the background.");

        manage.MapGet("/events/{eventId:int}/participants", async (int orgId, int eventId, int? limit, string? cursor, string? q, bool? counted,
            string? state, bool? activated, ParticipantQueries participants, CancellationToken ct) =>
            TypedResults.Ok(await participants.Page(orgId, eventId, new ParticipantFilter(q, counted, state, activated), limit, cursor, ct)))
            .WithSummary("The event's participants in reference order, keyset-paged: state, activated, counted or not and why in words. "
                + "Filters: q (reference prefix), counted, state (added|cancelled|reinstated|unregistered), activated.");

        manage.MapGet("/events/{eventId:int}/participants/counts", async (int orgId, int eventId, ParticipantQueries participants, CancellationToken ct) =>
            TypedResults.Ok(await participants.Counts(orgId, eventId, ct)))
            .WithSummary("How many of the event's participants count, do not, were cancelled after activating the app, and activated it.");

        manage.MapGet("/events/{eventId:int}/participants/history", async (int orgId, int eventId, string? participantRef, ParticipantQueries participants,
            CancellationToken ct) =>
            TypedResults.Ok(await participants.History(orgId, eventId, participantRef, ct)))
            .WithSummary("One participant (participantRef) and every change applied to it, by when it occurred, with who sent it and whether it changed anything.");

        manage.MapGet("/events/{eventId:int}/participants/export", async (int orgId, int eventId, string? format, string? q, bool? counted, string? state,
            bool? activated, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Participants(http.Response, orgId, eventId, format, new ParticipantFilter(q, counted, state, activated), ct))
            .WithSummary("Every participant the filters select, with why each counts or not, as CSV or XLSX, streamed.");

        changeSender.MapGet("/participant-batches/{batchId}", async (int orgId, string batchId, BatchQueries batches, CancellationToken ct) =>
            TypedResults.Ok(await batches.Get(orgId, batchId, ct)))
            .WithSummary("A batch's progress: accepted, processing, done or failed (with the reason).");

        manage.MapPost("/webhooks", async (int orgId, Webhooks.WebhookRequest body, CurrentUser me, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
        {
            var created = await webhooks.Create(orgId, body, me.Actor, ct);
            return TypedResults.Created($"/api/orgs/{orgId}/webhooks/{created.Id}", created);
        }).WithSummary("Adds a webhook (url, events: alert.raised, alert.resolved, transaction.recorded, event.coverage-changed); its signing secret is shown once.");

        manage.MapGet("/webhooks", async (int orgId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) => TypedResults.Ok(await webhooks.List(orgId, ct)))
            .WithSummary("The organization's webhooks (never their secrets).");

        manage.MapDelete("/webhooks/{webhookId:int}", async (int orgId, int webhookId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
        {
            await webhooks.Delete(orgId, webhookId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Deletes a webhook; its pending deliveries stop.");

        manage.MapGet("/webhooks/{webhookId:int}/deliveries", async (int orgId, int webhookId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok((await webhooks.Deliveries(orgId, webhookId, ct)).Deliveries))
            .WithSummary("The webhook's newest 200 deliveries: status, attempts, last response code or error.");

        manage.MapGet("/webhooks/{webhookId:int}/deliveries/{deliveryId:long}/attempts", async (int orgId, int webhookId, long deliveryId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok(await webhooks.Attempts(orgId, webhookId, deliveryId, ct)))
            .WithSummary("Every attempt of one delivery, oldest first: when, status code or error, duration.");

        manage.MapPost("/webhooks/{webhookId:int}/deliveries/{deliveryId:long}/redeliver", async (int orgId, int webhookId, long deliveryId,
            Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok(await webhooks.Redeliver(orgId, webhookId, deliveryId, ct)))
            .WithSummary("Sends a delivery again, with the same message id and a fresh 24 hours of retries.");

        manage.MapGet("/integration-keys", async (int orgId, IntegrationKeys keys, CancellationToken ct) =>
            TypedResults.Ok(await keys.List(orgId, ct)))
            .WithSummary("The organization's integration keys (never their secrets).");

        manage.MapPost("/integration-keys", async (int orgId, CreateKeyRequest body, CurrentUser me, IntegrationKeys keys, CancellationToken ct) =>
        {
            var created = await keys.Create(orgId, body, me.Actor, ct);
            return TypedResults.Created($"/api/orgs/{orgId}/integration-keys/{created.Key.Id}", new { key = created.Key, secret = created.Secret });
        }).WithSummary("Creates a key for a registration system; the secret is shown once.");

        manage.MapDelete("/integration-keys/{keyId:int}", async (int orgId, int keyId, IntegrationKeys keys, CancellationToken ct) =>
        {
            await keys.Revoke(orgId, keyId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revokes a key at once.");

        orgAdmin.MapGet("/memberships", async (int orgId, Memberships members, CancellationToken ct) =>
            TypedResults.Ok(await members.List(orgId, ct)))
            .WithSummary("The organization's administrators, entitlement managers and event teams.");

        orgAdmin.MapDelete("/memberships/{membershipId:int}", async (int orgId, int membershipId, Memberships members, CancellationToken ct) =>
        {
            await members.Remove(orgId, membershipId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Removes a membership (never the last administrator); it takes effect on open live connections too.");

        orgAdmin.MapPut("/memberships/{membershipId:int}", async (int orgId, int membershipId, ChangeRoleRequest body, Memberships members, CancellationToken ct) =>
            TypedResults.Ok(await members.ChangeRole(orgId, membershipId, body, ct)))
            .WithSummary("Changes a member's role (the last administrator cannot be demoted).");

        orgAdmin.MapGet("/audit", async (int orgId, int? limit, string? cursor, AuditQueries audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.Page(orgId, limit, cursor, ct)))
            .WithSummary("Who did what, when and from where (keys, members, invitations, activation), newest first.");

        orgAdmin.MapGet("/audit/export", async (int orgId, string? format, AuditQueries audit, HttpContext http, CancellationToken ct) =>
            await audit.ExportAsync(http.Response, orgId, format, ct))
            .WithSummary("The whole audit trail as CSV or XLSX (format=csv|xlsx), streamed.");

        orgAdmin.MapGet("/invitations", async (int orgId, InviteMember invite, CancellationToken ct) =>
            TypedResults.Ok(await invite.Pending(orgId, ct)))
            .WithSummary("Invitations not yet accepted and not expired.");

        api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.Inviter).MapPost("/invitations",
            async (int orgId, InviteRequest body, CurrentUser me, InviteMember invite, HttpContext http, CancellationToken ct) =>
            {
                var created = await invite.Handle(orgId, body, me.Actor, WebLinks.BaseUrl(http), ct);
                return TypedResults.Created($"/api/orgs/{orgId}/invitations", created);
            }).WithSummary("Invites someone with a role; the single-use link is answered once (and mailed when mail is configured).");

        app.MapPost("/api/invitations/accept", async (AcceptRequest body, AcceptInvitation accept, CancellationToken ct) =>
        {
            var accepted = await accept.Handle(body, ct);
            return TypedResults.Ok(new { accepted.Email, accepted.Memberships });
        }).AllowAnonymous().WithTags("Auth").WithSummary("Accepts an invitation or a password reset link; a used, expired or forged one answers 410.");

        app.MapPost("/api/auth/password-reset", async (PasswordResetRequest body, IssuePasswordReset reset, HttpContext http, CancellationToken ct) =>
        {
            var mailed = await reset.ByMail(body.Email, WebLinks.BaseUrl(http), ct);
            return mailed ? Results.Accepted() : Results.Problem("Password resets are not mailed here: ask your organization's administrator for a reset link.",
                statusCode: StatusCodes.Status503ServiceUnavailable, type: "https://entitlementslive.dev/problems/mail-not-configured",
                extensions: new Dictionary<string, object?> { ["code"] = "mail-not-configured" });
        }).AllowAnonymous().WithTags("Auth").WithSummary("Mails a reset link when the address has an account (the same answer either way).");

        orgAdmin.MapPost("/memberships/{membershipId:int}/password-reset", async (int orgId, int membershipId, CurrentUser me, IssuePasswordReset reset, HttpContext http, CancellationToken ct) =>
            TypedResults.Created($"/api/orgs/{orgId}/memberships/{membershipId}", await reset.ForMember(orgId, membershipId, me.Actor, WebLinks.BaseUrl(http), ct)))
            .WithSummary("A single-use link for a member to choose a new password (shown once, mailed when configured).");

        return app;
    }

    private static IResult Recorded(int orgId, TransactionDto transaction, bool created) => created
        ? Results.Created($"/api/orgs/{orgId}/transactions?cursor={transaction.Id + 1}&limit=1", new { transaction })
        : Results.Ok(new { transaction });
}
