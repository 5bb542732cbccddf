using System.Diagnostics;
using System.Net;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Organizations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Infrastructure;

public sealed class PageWarmUpOptions
{
    public const string Section = "WarmUp";

    /// <summary>Whether a starting node renders the first tabs before it says it is ready.</summary>
    public bool Pages { get; set; } = true;

    /// <summary>How many times each tab is rendered: the first render compiles the code, the next ones its later paths.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 50)]
    public int Rounds { get; set; } = 3;
}

/// <summary>
/// Once the node listens, renders the tabs an administrator opens first (<see cref="WarmUpTarget"/>) through the app's
/// own pipeline, as that administrator, with no socket and no cookie; <c>/health/ready</c> answers 503 until it is
/// done, so a balancer sends no one to a node whose first page would take half a second to compile. GETs only: nothing
/// is written. A failure is logged and the node becomes ready anyway.
/// </summary>
public sealed class PageWarmUp(IServiceProvider services, IHostApplicationLifetime lifetime, IOptions<PageWarmUpOptions> options,
    LinkGenerator links, ILogger<PageWarmUp> log) : IStartupFilter, IHealthCheck
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RequestDelegate? _pipeline;
    private WarmUpTarget? _target;

    /// <summary>Each render's path and status, in order (for the log and the tests).</summary>
    public List<(string Path, int Status)> Rendered { get; } = [];

    public Task Done => _done.Task;

    /// <summary>Whose pages to render, from the data warm-up; none when the database has no working organization.</summary>
    public void For(WarmUpTarget? target) => _target = target;

    /// <summary>The tabs an administrator opens first, through the routing (the API list has no page: its path is the contract's).</summary>
    private IReadOnlyList<string> PagesOf(WarmUpTarget target)
    {
        var orgId = target.OrganizationId;
        string Page(string page, object? query = null) =>
            links.GetPathByPage(page, handler: null, values: new RouteValueDictionary(query) { ["orgId"] = orgId })
            ?? throw new InvalidOperationException($"No route to the page {page}.");
        return
        [
            Page("/Orgs/Entitlements/Index"),
            Page("/Orgs/Entitlements/Events"),
            Page("/Orgs/Entitlements/Events", new { status = "past" }),
            Page("/Orgs/Entitlements/Events", new { status = "live", missingOnly = "true" }),
            Page("/Orgs/Entitlements/History"),
            $"/api/orgs/{orgId}/events?status=live&missingOnly=true",
        ];
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // The first middleware keeps the rest of the pipeline as it is built, and adds nothing to a request.
        app.Use(pipeline => _pipeline = pipeline);
        next(app);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => RenderAsync(lifetime.ApplicationStopping)));
    };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // Degraded, not unhealthy: nothing is wrong, the node is starting (logged as a warning; /health/ready answers 503).
        Task.FromResult(Done.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("The first pages are still being rendered."));

    private async Task RenderAsync(CancellationToken ct)
    {
        try
        {
            if (options.Value.Pages && _target is { } target && _pipeline is { } pipeline)
            {
                var clock = Stopwatch.StartNew();
                var user = await PrincipalOf(target.AdministratorId);
                var pages = PagesOf(target);
                for (var round = 0; round < options.Value.Rounds && user is not null; round++)
                {
                    foreach (var page in pages)
                    {
                        Rendered.Add((page, await GetAsync(pipeline, page, user, ct)));
                    }
                }

                if (log.IsEnabled(LogLevel.Information))
                {
                    log.LogInformation("Rendered {Count} pages before taking requests in {Elapsed:0} ms (answers {Statuses})", Rendered.Count,
                        clock.Elapsed.TotalMilliseconds, string.Join(", ", Rendered.Select(r => r.Status).Distinct()));
                }
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(ex, "The first pages could not be rendered before taking requests; the node takes them cold");
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task<System.Security.Claims.ClaimsPrincipal?> PrincipalOf(string userId)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.FindByIdAsync(userId) is { } user
            ? await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>().CreateAsync(user)
            : null;
    }

    private async Task<int> GetAsync(RequestDelegate pipeline, string page, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var query = page.IndexOf('?');
        var request = new HttpRequestFeature
        {
            Method = HttpMethods.Get, Scheme = "http", Protocol = "HTTP/1.1",
            Path = query < 0 ? page : page[..query], QueryString = query < 0 ? "" : page[query..],
        };
        request.Headers.Host = "localhost";
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        var response = new Response();
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback, ConnectionId = "warm-up" });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = ct });
        features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = user });
        // As the server's own requests are made: a request scope, and the context reachable through IHttpContextAccessor.
        var contexts = services.GetRequiredService<IHttpContextFactory>();
        var http = contexts.Create(features);
        try
        {
            await pipeline(http);
            await response.EndAsync();
            return http.Response.StatusCode;
        }
        finally
        {
            if (http.Features.Get<IServiceProvidersFeature>() is IAsyncDisposable scope)
            {
                await scope.DisposeAsync();
            }

            contexts.Dispose(http);
        }
    }

    /// <summary>A response nobody reads: its OnStarting and OnCompleted callbacks run once the pipeline is done, as a server runs them.</summary>
    private sealed class Response : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Insert(0, (callback, state));

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Insert(0, (callback, state));

        public async Task EndAsync()
        {
            foreach (var (callback, state) in _starting.Concat(_completed))
            {
                await callback(state);
            }
        }
    }
}
