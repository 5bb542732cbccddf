using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>The organizations part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class OrganizationsEndpoints
{
    public static ApiGroups MapOrganizations(this ApiGroups groups)
    {
        var api = groups.Api;
        var ops = groups.Ops;

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

        ops.MapPut("/activation", async (int orgId, ActivationRequest body, SetActivation activation, CancellationToken ct) =>
            TypedResults.Ok(await activation.Handle(orgId, body, ct)))
            .WithSummary("Ops: activates or deactivates the organization's entitlements; every row is kept.");

        return groups;
    }
}
