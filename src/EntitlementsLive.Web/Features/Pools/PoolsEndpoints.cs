using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Pools;

/// <summary>The pools part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class PoolsEndpoints
{
    public static ApiGroups MapPools(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapGet("/pools", async (int orgId, PoolQueries pools, CancellationToken ct) =>
            TypedResults.Ok(await pools.List(orgId, ct)))
            .WithSummary("Purchased, transferred and available per product.");

        manage.MapGet("/pools/export", async (int orgId, string? format, TabExports exports, HttpContext http, CancellationToken ct) =>
            await exports.Pools(http.Response, orgId, format, ct))
            .WithSummary("The pools overview (purchased, transferred, available, required and missing per product) as CSV or XLSX.");

        return groups;
    }
}
