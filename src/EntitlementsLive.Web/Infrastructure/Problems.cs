using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>Turns refusals into RFC 9457 problem+json with a stable code; never a stack trace.</summary>
public static class Problems
{
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.Validation => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.InsufficientBalance or ErrorCodes.ModuleAlreadyAllocated or ErrorCodes.IdempotencyKeyReused or ErrorCodes.ProductExists => StatusCodes.Status409Conflict,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.Forbidden or ErrorCodes.EntitlementsNotActivated => StatusCodes.Status403Forbidden,
        ErrorCodes.BatchTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.InvitationInvalid => StatusCodes.Status410Gone,
        ErrorCodes.LastAdministrator or ErrorCodes.PlanStale or ErrorCodes.EventCovered or ErrorCodes.RequestResolved => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>A domain refusal or a request that could not be read: the client's mistake, answered 4xx.</summary>
    public static bool IsRefusal(Exception exception) => exception is DomainException or BadHttpRequestException;

    /// <summary>Requests are logged at the level of what they answered: 5xx Error (a health probe's Warning), the rest Information.</summary>
    public static Serilog.Events.LogEventLevel LogLevelOf(HttpContext http, double elapsedMs, Exception? exception) =>
        exception is not null && !IsRefusal(exception) ? Serilog.Events.LogEventLevel.Error
        // A readiness probe's 503 is its answer ("not yet": starting, warming up, or a dependency down), not a failure.
        : http.Response.StatusCode >= 500 && http.Request.Path.StartsWithSegments("/health") ? Serilog.Events.LogEventLevel.Warning
        : http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
        : Serilog.Events.LogEventLevel.Information;

    /// <summary>The status of whatever escaped a request: a refusal's own, else 500.</summary>
    public static int StatusOf(Exception exception) => exception switch
    {
        DomainException refusal => StatusOf(refusal.Code),
        BadHttpRequestException bad => bad.StatusCode,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult From(DomainException ex)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = ex.Code };
        if (ex.Errors.Count > 0)
        {
            extensions["errors"] = ex.Errors;
        }

        return TypedResults.Problem(ex.Message, statusCode: StatusOf(ex.Code), title: TitleOf(ex.Code), type: TypeOf(ex.Code), extensions: extensions);
    }

    public static string TypeOf(string code) => "https://entitlementslive.dev/problems/" + code;

    private static string TitleOf(string code) => code switch
    {
        ErrorCodes.InsufficientBalance => "The pool's balance is too low.",
        ErrorCodes.ModuleAlreadyAllocated => "The event already holds this module.",
        ErrorCodes.IdempotencyKeyReused => "The idempotency key was used for another request.",
        ErrorCodes.NotFound => "Not found.",
        ErrorCodes.EntitlementsNotActivated => "Entitlements are not activated.",
        ErrorCodes.Forbidden => "Forbidden.",
        ErrorCodes.Validation => "The request is invalid.",
        ErrorCodes.BatchTooLarge => "The batch is too large.",
        ErrorCodes.ProductExists => "The product already exists.",
        ErrorCodes.InvitationInvalid => "The link is not valid.",
        ErrorCodes.LastAdministrator => "The organization needs an administrator.",
        ErrorCodes.PlanStale => "The plan is out of date.",
        ErrorCodes.EventCovered => "The event is not missing anything.",
        ErrorCodes.RequestResolved => "The request is resolved already.",
        _ => "The request was refused.",
    };
}

/// <summary>Maps what escapes an API endpoint to problem+json; pages fall through to the error page.</summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The handler runs with the request already pointed at the error page: the original path decides.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path.Value;
        if (!WebExtensions.IsApi(new PathString(path)))
        {
            // People get the error page (the exception handler re-executes /Error), with the refusal's own words.
            if (exception is DomainException refusal)
            {
                httpContext.Items[AccessResults.MessageKey] = refusal.Message;
            }

            return false;
        }

        IResult? result = exception switch
        {
            DomainException domain => Problems.From(domain),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TypedResults.Problem(
                "The request body is too large.", statusCode: 413, type: Problems.TypeOf("payload-too-large"),
                extensions: new Dictionary<string, object?> { ["code"] = "payload-too-large" }),
            BadHttpRequestException bad => Problems.From(new DomainException(ErrorCodes.Validation, "The request could not be read: " + Describe(bad),
                new Dictionary<string, string[]> { ["body"] = [Describe(bad)] })),
            _ => null,
        };
        if (result is null)
        {
            // Unexpected: a plain 500 problem, the details stay in the log.
            httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = 500, Title = "Something went wrong on our side.", Type = Problems.TypeOf("internal") },
                Exception = exception,
            });
        }

        await result.ExecuteAsync(httpContext);
        return true;
    }

    private static string Describe(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException ? "the body is not valid JSON of the expected shape." : bad.Message;
}
