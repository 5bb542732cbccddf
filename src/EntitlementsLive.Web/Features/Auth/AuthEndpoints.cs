

namespace EntitlementsLive.Web.Features.Auth;

/// <summary>The auth part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class AuthEndpoints
{
    /// <summary>Mapped before the API's groups, so the API explorer lists signing in first.</summary>
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", LoginEndpoint.Handle).AllowAnonymous().RequireRateLimiting(Infrastructure.SecurityHeaders.SignInPolicy).WithTags("Auth")
            .WithSummary("Exchanges an email and password for a bearer token.");

        return app;
    }
}
