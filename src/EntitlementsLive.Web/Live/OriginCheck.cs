using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Refuses hub requests from another site's pages. A browser always sends Origin on WebSockets and on
/// cross-site requests; scripts send none and authenticate with a bearer token instead.
/// </summary>
public sealed class OriginCheck(RequestDelegate next, IOptions<LiveOptions> options)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !Allowed(origin, http))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync("This origin may not open the live hub.");
            return;
        }

        await next(http);
    }

    private bool Allowed(string origin, HttpContext http)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var own = string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Scheme, http.Request.Scheme, StringComparison.OrdinalIgnoreCase);
        return own || options.Value.AllowedOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);
    }
}
