using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace EntitlementsLive.Web.Infrastructure;

public sealed class SignInLimitOptions
{
    public const string Section = "SignIn";

    /// <summary>Sign-in attempts (API and page) per client address and minute, on top of the account lockout.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 10;
}

/// <summary>Headers on every response, and the rate limit of sign-in attempts.</summary>
public static class SecurityHeaders
{
    public const string SignInPolicy = "sign-in";

    /// <summary>
    /// Scripts and styles from the app itself only (no inline script or style anywhere); no framing; no sniffing.
    /// The Hangfire dashboard (Ops only) and the API explorer ship inline script and style of their own, so they alone get them.
    /// </summary>
    private const string Strict = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string Dashboard = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/hangfire") || http.Request.Path.StartsWithSegments(ApiDocs.Path) ? Dashboard : Strict;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            if (http.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        await next(http);
    });

    /// <summary>Posted sign-ins are limited per client address; 429 problem+json with Retry-After when over.</summary>
    public static IServiceCollection AddSignInLimit(this IServiceCollection services)
    {
        services.AddOptions<SignInLimitOptions>().BindConfiguration(SignInLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(SignInPolicy, http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("read");
                }

                var permits = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInLimitOptions>>().Value.PermitsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem("Too many sign-in attempts from this address; try again in a minute.", statusCode: StatusCodes.Status429TooManyRequests,
                    type: Problems.TypeOf("too-many-requests"), extensions: new Dictionary<string, object?> { ["code"] = "too-many-requests" })
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
