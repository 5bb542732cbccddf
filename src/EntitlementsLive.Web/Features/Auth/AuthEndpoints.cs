

namespace EntitlementsLive.Web.Features.Auth;

/// <summary>The auth part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class AuthEndpoints
{
    public static ApiGroups MapAuth(this ApiGroups groups)
    {
        var app = groups.App;

        app.MapPost("/api/auth/login", LoginEndpoint.Handle).AllowAnonymous().RequireRateLimiting(Infrastructure.SecurityHeaders.SignInPolicy).WithTags("Auth")
            .WithSummary("Exchanges an email and password for a bearer token.");

        return groups;
    }
}
