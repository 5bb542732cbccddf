using EntitlementsLive.Web.Features.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Turns a refused policy into its answer: problem+json with a stable code for the API, the error page with
/// the reason for people; 404 for what the caller may not know about, 403 for what they may not do.
/// </summary>
public sealed class AccessResults : IAuthorizationMiddlewareResultHandler
{
    public const string MessageKey = "el:problem";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var refusal = authorizeResult.Forbidden
            ? authorizeResult.AuthorizationFailure?.FailureReasons.OfType<AccessRefusal>().FirstOrDefault()
            : null;
        if (refusal is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (WebExtensions.IsApi(context))
        {
            await Problems.From(refusal.Error).ExecuteAsync(context);
            return;
        }

        // The status code pages render the reason on the error page.
        context.Items[MessageKey] = refusal.Error.Message;
        context.Response.StatusCode = Problems.StatusOf(refusal.Error.Code);
    }
}
