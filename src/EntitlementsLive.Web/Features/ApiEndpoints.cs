using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Auth;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Forecasts;
using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Notifications;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Plans;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Requests;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using EntitlementsLive.Web.Features.Transfers;
using EntitlementsLive.Web.Features.Webhooks;

namespace EntitlementsLive.Web.Features;

/// <summary>
/// The route groups of the JSON API: who may call what is declared here, once per group; each feature maps its
/// endpoints on them (<c>Map&lt;Feature&gt;</c> in its own folder), and each endpoint calls the handler the pages use.
/// </summary>
public sealed record ApiGroups(
    IEndpointRouteBuilder App,
    RouteGroupBuilder Api,
    RouteGroupBuilder Manage,
    RouteGroupBuilder EventMember,
    RouteGroupBuilder ChangeSender,
    RouteGroupBuilder Ops,
    RouteGroupBuilder EventSync,
    RouteGroupBuilder OrgAdmin);

/// <summary>The JSON API of API.md.</summary>
public static class ApiEndpoints
{
    /// <summary>10,000 changes of about 200 bytes each, with room to spare.</summary>
    public const long MaxBatchBytes = 4 * 1024 * 1024;

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        app.MapAuth();
        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Entitlements");

        // Who may call what is declared here, once per group; the endpoints below only call their handler.
        var manage = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.EntitlementsManager);
        var eventMember = api.MapGroup("/orgs/{orgId:int}/events/{eventId:int}").RequireAuthorization(Policies.EventMember);
        var changeSender = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.ChangeSender);
        var ops = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.Ops);
        var eventSync = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.EventSync);
        var orgAdmin = api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.OrgAdmin);

        new ApiGroups(app, api, manage, eventMember, changeSender, ops, eventSync, orgAdmin)
            .MapOrganizations()
            .MapProducts()
            .MapPools()
            .MapEvents()
            .MapAlerts()
            .MapTransfers()
            .MapPlans()
            .MapForecasts()
            .MapRequests()
            .MapNotifications()
            .MapTransactions()
            .MapPurchases()
            .MapParticipants()
            .MapWebhooks()
            .MapIntegrations()
            .MapMembers();
        return app;
    }

    /// <summary>A recorded ledger entry: 201 with where to read it when new, 200 when the key was seen before.</summary>
    public static IResult Recorded(int orgId, TransactionDto transaction, bool created) => created
        ? Results.Created($"/api/orgs/{orgId}/transactions?cursor={transaction.Id + 1}&limit=1", new { transaction })
        : Results.Ok(new { transaction });
}
