using System.Globalization;
using System.Security.Claims;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Access;

/// <summary>The authorization policies, declared once on route groups, page folders, the hub and the dashboard.</summary>
public static class Policies
{
    /// <summary>The organization's administrators: members and invitations.</summary>
    public const string OrgAdmin = nameof(OrgAdmin);

    /// <summary>Administrators and Entitlement Managers: everything entitlements of the organization.</summary>
    public const string EntitlementsManager = nameof(EntitlementsManager);

    /// <summary>Those who manage the organization's entitlements, and the team of the event in the route.</summary>
    public const string EventMember = nameof(EventMember);

    /// <summary>Invites people to the organization in the route: its administrators, or Ops (for any organization).</summary>
    public const string Inviter = nameof(Inviter);

    /// <summary>
    /// Hears the organization's live messages (the hub's Resume, with the organization as the resource): those who manage
    /// its entitlements, and the teams of its events. What each of them hears is the audience rule's (LiveAudience).
    /// </summary>
    public const string LiveFollower = nameof(LiveFollower);

    /// <summary>Platform staff (any organization).</summary>
    public const string Ops = nameof(Ops);

    /// <summary>Sends participant changes: an integration key of the organization with that scope, or its entitlement managers.</summary>
    public const string ChangeSender = nameof(ChangeSender);

    /// <summary>Syncs events from the platform: an integration key of the organization with the events scope, or its entitlement managers.</summary>
    public const string EventSync = nameof(EventSync);

    /// <summary>The claims an integration key carries: one per scope.</summary>
    public const string IntegrationScopeClaim = "el:integration-scope";

    /// <summary>The claim an integration key carries: the organization it belongs to.</summary>
    public const string IntegrationOrganizationClaim = "el:integration-org";

    public static IServiceCollection AddAccessPolicies(this IServiceCollection services)
    {
        services.AddScoped<IAuthorizationHandler, OrganizationAccessHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(OrgAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(OrgAdmin)))
            .AddPolicy(EntitlementsManager, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(EntitlementsManager)))
            .AddPolicy(EventMember, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(EventMember)))
            .AddPolicy(Inviter, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Inviter)))
            .AddPolicy(LiveFollower, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(LiveFollower)))
            .AddPolicy(Ops, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Ops)))
            .AddPolicy(ChangeSender, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(ChangeSender, IntegrationScope.ParticipantChanges)))
            .AddPolicy(EventSync, p => p.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(EventSync, IntegrationScope.Events)));
        return services;
    }
}

/// <summary>The organization the access handler read for the route, kept for the request so pages do not read it again.</summary>
public static class RouteOrganization
{
    private static readonly object Key = new();

    public static void Remember(HttpContext http, Organization organization) => http.Items[Key] = organization;

    public static Organization? Recall(HttpContext http) => http.Items[Key] as Organization;
}

/// <summary>The organization a check is about where no route names it (a hub method's argument).</summary>
public sealed record OrganizationResource(int OrganizationId);

/// <summary>A policy's requirement; <paramref name="KeyScope"/> is set where an integration key may call too.</summary>
public sealed record AccessRequirement(string Policy, IntegrationScope? KeyScope = null) : IAuthorizationRequirement;

/// <summary>Why access was refused: a 404 for what the caller may not know exists, a 403 with a reason otherwise.</summary>
public sealed class AccessRefusal(IAuthorizationHandler handler, DomainException error) : AuthorizationFailureReason(handler, error.Message)
{
    public DomainException Error { get; } = error;
}

/// <summary>
/// Decides every policy from the organization and event in the route (or the <see cref="OrganizationResource"/>) and the caller's memberships (rule 8,
/// rule 12), and is the one place that checks that the organization's entitlements are activated.
/// </summary>
public sealed class OrganizationAccessHandler(CurrentUser me, IServiceProvider services, IHttpContextAccessor accessor) : AuthorizationHandler<AccessRequirement>
{
    // Resolved when a policy of ours is decided, not when the handler is built (for every request, a hub connection's
    // too, whose request scope lives as long as the connection: see CurrentUser).
    private AppDbContext Db => services.GetRequiredService<AppDbContext>();

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        // A hub call names its organization as the resource; a request, in its route.
        var resource = context.Resource as OrganizationResource;
        var http = resource is null ? context.Resource as HttpContext ?? accessor.HttpContext : null;
        var ct = http?.RequestAborted ?? CancellationToken.None;
        try
        {
            var organization = resource is null
                ? await Check(requirement, context.User, RouteInt(http, "orgId"), RouteInt(http, "eventId"), ct)
                : await Check(requirement, context.User, resource.OrganizationId, eventId: null, ct);
            if (http is not null && organization is not null)
            {
                RouteOrganization.Remember(http, organization);
            }

            context.Succeed(requirement);
        }
        catch (DomainException refusal)
        {
            context.Fail(new AccessRefusal(this, refusal));
        }
    }

    /// <summary>Throws the refusal; answers the route's organization when one was read.</summary>
    private async Task<Organization?> Check(AccessRequirement requirement, ClaimsPrincipal user, int? organizationId, int? eventId, CancellationToken ct)
    {
        var policy = requirement.Policy;
        var memberships = await MembershipsOf(user, ct);
        if (policy == Policies.Ops)
        {
            // Platform scope: the use case itself reads the organization it acts on.
            if (!memberships.IsOps())
            {
                throw new DomainException(ErrorCodes.Forbidden, "Only Ops staff may do this.");
            }

            return null;
        }

        if (policy == Policies.Inviter && memberships.IsOps())
        {
            // Ops invite an organization's first administrator; the invitation handler answers 404 for an unknown organization.
            return null;
        }

        if (organizationId is not { } orgId)
        {
            throw new InvalidOperationException($"The {policy} policy needs an organization in the route.");
        }

        // An integration key belongs to one organization and may only do what its scopes say.
        var integrationKey = requirement.KeyScope is null ? null : user.FindFirstValue(Policies.IntegrationOrganizationClaim);
        var visible = integrationKey is null
            ? memberships.BelongsTo(orgId)
            : integrationKey == orgId.ToString(CultureInfo.InvariantCulture);

        // Another organization's ids answer as if they did not exist.
        var organization = (visible ? await Organization(orgId, ct) : null) ?? throw Validation.NotFound("The organization");
        if (integrationKey is not null && !user.HasClaim(Policies.IntegrationScopeClaim, requirement.KeyScope!.Value.ToString()))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"This integration key does not have the {Names.Of(requirement.KeyScope.Value)} scope.");
        }

        if (integrationKey is null)
        {
            switch (policy)
            {
                case Policies.OrgAdmin or Policies.Inviter when !memberships.AdministersOrganization(orgId):
                    throw new DomainException(ErrorCodes.Forbidden, "Only Organization Administrators manage members.");
                case Policies.OrgAdmin or Policies.Inviter:
                    // Members are managed whether or not entitlements are activated.
                    return organization;
                case Policies.EventMember when eventId is not { } e || !memberships.SeesEvent(orgId, e):
                    // Another event of the same organization: say nothing about it.
                    throw Validation.NotFound("The event");
                case Policies.LiveFollower when !memberships.FollowsLive(orgId):
                    throw Validation.NotFound("The organization");
                case Policies.EntitlementsManager or Policies.ChangeSender or Policies.EventSync when !memberships.ManagesEntitlements(orgId):
                    throw new DomainException(ErrorCodes.Forbidden, "Only Organization Administrators and Entitlement Managers manage entitlements.");
            }
        }

        return organization.EnsureEntitlementsActivated();
    }

    /// <summary>The memberships of the user checked: the request's own, read once per request, or (a hub call) theirs.</summary>
    private async Task<IReadOnlyList<Membership>> MembershipsOf(ClaimsPrincipal user, CancellationToken ct) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId ? []
        : userId == me.UserId ? await me.MembershipsAsync(ct)
        : await CurrentUser.Load(Db, userId, ct);

    private Task<Organization?> Organization(int organizationId, CancellationToken ct) => OrganizationById(Db, organizationId, ct);

    // Read on every request, compiled (see CurrentUser's memberships).
    private static readonly Func<AppDbContext, int, CancellationToken, Task<Organization?>> OrganizationById = EF.CompileAsyncQuery(
        (AppDbContext db, int id, CancellationToken ct) => db.Organizations.AsNoTracking().SingleOrDefault(o => o.Id == id));

    private static int? RouteInt(HttpContext? http, string name) =>
        http?.GetRouteValue(name) is { } value && int.TryParse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? id : null;
}
