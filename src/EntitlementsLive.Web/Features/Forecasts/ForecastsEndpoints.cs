using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Forecasts;

/// <summary>The forecasts part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class ForecastsEndpoints
{
    public static ApiGroups MapForecasts(this ApiGroups groups)
    {
        var api = groups.Api;
        var manage = groups.Manage;

        manage.MapGet("/forecast", async (int orgId, Forecasts.ForecastQueries forecasts, CancellationToken ct) =>
            TypedResults.Ok(await forecasts.ForOrganization(orgId, ct)))
            .WithSummary("Where each live event is heading at its start (a range and its basis, or why there is no number), and each pool against that need.");

        api.MapGet("/ops/forecast", async (Forecasts.ForecastQueries forecasts, CancellationToken ct) =>
            TypedResults.Ok(await forecasts.Shortfalls(ct)))
            .RequireAuthorization(Policies.Ops).WithSummary("Ops: the organizations whose pools are projected short, with those pools.");

        return groups;
    }
}
