namespace EntitlementsLive.Web.Features.Shared;

/// <summary>Where links that leave the app (invitations, resets) point, from the request that made them.</summary>
public static class WebLinks
{
    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
}
