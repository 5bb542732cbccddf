using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EntitlementsLive.Web.Infrastructure;

public static class WebExtensions
{
    /// <summary>
    /// Behind a load balancer or a reverse proxy: the client's address and scheme come from X-Forwarded-For and
    /// X-Forwarded-Proto, trusted only from loopback (the framework's default) and the addresses in Proxy:KnownProxies.
    /// The sign-in limit then counts per client rather than per proxy, the audit keeps the client's address, cookies are
    /// Secure when TLS ends at the proxy, and /metrics' rule (Ops or the node itself) applies to the real caller.
    /// </summary>
    public static IServiceCollection AddProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = new List<System.Net.IPAddress>();
        foreach (var text in configuration.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [])
        {
            proxies.Add(System.Net.IPAddress.TryParse(text, out var address) ? address
                : throw new Microsoft.Extensions.Options.OptionsValidationException("Proxy", typeof(ForwardedHeadersOptions),
                    [$"Proxy:KnownProxies: '{text}' is not an IP address."]));
        }

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }
        });
        return services;
    }

    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            // Who may open which pages is declared here, per folder; page handlers never check roles.
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AuthorizeFolder("/Orgs/Entitlements", Policies.EntitlementsManager);
            o.Conventions.AuthorizeFolder("/Orgs/Events", Policies.EventMember);
            o.Conventions.AuthorizeFolder("/Ops", Policies.Ops);
            o.Conventions.AuthorizeFolder("/Orgs/Members", Policies.OrgAdmin);
            o.Conventions.AllowAnonymousToPage("/Account/Accept");
            o.Conventions.AddPageApplicationModelConvention("/Account/Login",
                page => page.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(SecurityHeaders.SignInPolicy)));
            o.Conventions.AllowAnonymousToPage("/Account/Forgot");
            o.Conventions.AllowAnonymousToPage("/Account/Login");
            o.Conventions.AllowAnonymousToPage("/Account/AccessDenied");
            o.Conventions.AllowAnonymousToPage("/Error");
        }).AddMvcOptions(o =>
        {
            // The use cases validate (one home per rule); model state only records what could not be read.
            o.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
            o.ModelBinderProviders.Insert(0, new StrictNumberBinderProvider());
            o.Filters.Add(new RefuseUnreadableForms());
            o.Filters.Add(new RefuseMethodsWithoutHandler());
        });
        services.ConfigureHttpJsonOptions(o => JsonContract.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(ApiDocs.Configure);
        services.AddOptions<PageWarmUpOptions>().BindConfiguration(PageWarmUpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PageWarmUp>();
        services.AddSingleton<IStartupFilter>(sp => sp.GetRequiredService<PageWarmUp>());
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", tags: ["ready"])
            .AddCheck<Jobs.JobServerHealthCheck>("jobs", tags: ["ready"])
            .AddCheck<PageWarmUp>("pages", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Adds <c>Server-Timing: app;dur=…, db;dur=…;desc="N commands"</c> (milliseconds from the request's arrival to
    /// its first byte, and the part of them spent in the database), so browsers' dev tools and the benchmark see the
    /// server's own time apart from the network and the client, and how much of it the queries take.
    /// </summary>
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var queries = QueryTiming.Begin();
        http.Response.OnStarting(() =>
        {
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            http.Response.Headers["Server-Timing"] = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"app;dur={elapsed:0.00}, db;dur={queries.Elapsed.TotalMilliseconds:0.00};desc=\"{queries.Commands} commands\"");
            return Task.CompletedTask;
        });
        await next(http);
    });

    public static bool IsApi(HttpContext http) => IsApi(http.Request.Path);

    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/health");

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.MapRazorPages();

        // Clients that ask for the icon by its old name (no page links it) get the one the layout links.
        app.MapGet("/favicon.ico", () => Results.Redirect("/favicon.svg", permanent: true)).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().AllowAnonymous();
        app.MapApiDocs();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        // Ready means every check healthy: a degraded one (the first pages still rendering) answers 503 too.
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
        return app;
    }
}
