using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Plans;

/// <summary>The plans part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class PlansEndpoints
{
    public static ApiGroups MapPlans(this ApiGroups groups)
    {
        var manage = groups.Manage;

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

        return groups;
    }
}
