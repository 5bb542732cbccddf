using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace EntitlementsLive.Web.Infrastructure;

public static class SecurityExtensions
{
    /// <summary>The scheme that picks the bearer token when one is sent, else the Identity cookie.</summary>
    public const string CookieOrBearer = "CookieOrBearer";

    public const string HubPath = "/hubs/entitlements";

    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        // One key ring for every node and every restart: a session, a bearer token or an anti-forgery token from one
        // node works on another, and webhook secrets stay readable.
        services.AddDataProtection().SetApplicationName("EntitlementsLive").PersistKeysToDbContext<AppDbContext>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearer;
                o.DefaultChallengeScheme = CookieOrBearer;
            })
            .AddPolicyScheme(CookieOrBearer, "Cookie, bearer token or integration key", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(ApiKeyAuthentication.Header) ? ApiKeyAuthentication.SchemeName
                : http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (http.Request.Path.StartsWithSegments(HubPath) && http.Request.Query.ContainsKey("access_token"))
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromHours(1);
                o.Events = new BearerTokenEvents
                {
                    // Browsers cannot set headers on WebSockets: the hub takes the token from the query string.
                    OnMessageReceived = context =>
                    {
                        if (context.Request.Path.StartsWithSegments(HubPath) && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                };
            });
        // How long a script's token lives (Auth:BearerTokenSeconds); live connections close when it expires.
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).Configure<IConfiguration>((o, config) =>
            o.BearerTokenExpiration = TimeSpan.FromSeconds(config.GetValue("Auth:BearerTokenSeconds", 3600)));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthentication().AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "EntitlementsLive";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the app is served over HTTPS (README: "Serving HTTPS").
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context => ApiAware(context.HttpContext, context.RedirectUri, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context.HttpContext, context.RedirectUri, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.Lockout.AllowedForNewUsers = true;
                o.Password.RequiredLength = 8;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Features.Shared.IMailer, SmtpMailer>();
        services.AddAuthorization();
        services.AddAccessPolicies();
        services.AddSignInLimit();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessResults>();
        services.AddAntiforgery();
        return services;
    }

    // APIs and the hub answer 401/403; pages redirect to the sign-in or access-denied page.
    private static Task ApiAware(HttpContext http, string redirectUri, int status)
    {
        if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs"))
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }
}
