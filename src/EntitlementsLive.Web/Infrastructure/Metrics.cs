using System.Diagnostics.Metrics;
using System.Net;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Live;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// OpenTelemetry metrics, exposed for Prometheus at /metrics to Ops and to loopback callers (a scraper on the node
/// itself): outbox lag, commit-to-push latency, connections per node, participant batches queued, failed webhooks and
/// jobs. A load balancer in front of the nodes must not route /metrics (it would arrive from loopback).
/// </summary>
public static class MetricsExtensions
{
    public const string Path = "/metrics";

    public const string Policy = "MetricsReader";

    /// <summary>The .NET runtime's built-in meter (dotnet.gc.*, dotnet.thread_pool.*, dotnet.jit.*).</summary>
    public const string RuntimeMeter = "System.Runtime";

    public static IServiceCollection AddMetrics(this IServiceCollection services, IConfiguration configuration, string node)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Telemetry.Node = node;
        services.AddSingleton<DatabaseGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("entitlementslive", serviceInstanceId: node))
            // The runtime's own meter beside ours: GC, thread pool, lock contention, exceptions, and the JIT's compiled methods
            // (how far a fresh node is from its steady state; the bench waits on it).
            .WithMetrics(m => m.AddMeter(Telemetry.MeterName, RuntimeMeter).AddPrometheusExporter());
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddRequirements(new MetricsRequirement()));
        services.AddScoped<IAuthorizationHandler, MetricsRequirementHandler>();
        return services;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        // The database-backed gauges read when scraped, not on a timer.
        app.Services.GetRequiredService<DatabaseGauges>().Register();
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policy);
        return app;
    }

    private sealed class MetricsRequirement : IAuthorizationRequirement;

    /// <summary>A caller on the node itself, or Ops.</summary>
    private sealed class MetricsRequirementHandler(IHttpContextAccessor http, CurrentUser me) : AuthorizationHandler<MetricsRequirement>
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsRequirement requirement)
        {
            var address = http.HttpContext?.Connection.RemoteIpAddress;
            if (address is not null && IPAddress.IsLoopback(address))
            {
                context.Succeed(requirement);
                return;
            }

            if (context.User.Identity?.IsAuthenticated == true && (await me.MembershipsAsync(http.HttpContext?.RequestAborted ?? default)).IsOps())
            {
                context.Succeed(requirement);
            }
        }
    }

    /// <summary>Gauges read from the database and the job storage when scraped.</summary>
    private sealed class DatabaseGauges(IServiceScopeFactory scopes, OutboxNotifier notifier)
    {
        public void Register()
        {
            Telemetry.Meter.CreateObservableGauge("entitlementslive.outbox.lag", () => Read(OutboxLag), "{message}",
                "Committed outbox messages not yet pushed (all organizations): by this node when it drains, else as of the drainer's last saved positions.");
            Telemetry.Meter.CreateObservableGauge("entitlementslive.outbox.leading", () => new Measurement<long>(notifier.Leading ? 1 : 0, Telemetry.NodeTag), "{node}",
                "1 on the node that drains the outbox now, 0 on the others.");
            Telemetry.Meter.CreateObservableGauge("entitlementslive.participants.batches_queued", () => Read(BatchesQueued), "{batch}",
                "Participant-change batches accepted or being applied.");
            Telemetry.Meter.CreateObservableGauge("entitlementslive.jobs.failed", () => ReadJobs(), "{job}",
                "Background jobs in the failed state.");
            Telemetry.Meter.CreateObservableGauge("entitlementslive.webhooks.pending", () => Read(db => db.WebhookDeliveries.LongCountAsync(d => d.Status == DeliveryStatus.Pending)),
                "{delivery}", "Webhook deliveries waiting for an attempt or a retry.");
        }

        /// <summary>This app's job storage (not Hangfire's process-wide current one).</summary>
        private Measurement<long> ReadJobs()
        {
            using var scope = scopes.CreateScope();
            return new Measurement<long>(scope.ServiceProvider.GetRequiredService<JobStorage>().GetMonitoringApi().FailedCount(), Telemetry.NodeTag);
        }

        private Measurement<long> Read(Func<AppDbContext, Task<long>> read)
        {
            using var scope = scopes.CreateScope();
            var value = read(scope.ServiceProvider.GetRequiredService<AppDbContext>()).GetAwaiter().GetResult();
            return new Measurement<long>(value, Telemetry.NodeTag);
        }

        private async Task<long> OutboxLag(AppDbContext db)
        {
            var last = await db.Organizations.AsNoTracking().Where(o => o.LastSequence > 0).Select(o => new { o.Id, o.LastSequence }).ToListAsync();
            var pushed = notifier.Leading
                ? notifier.Pushed
                : await db.OutboxCursors.AsNoTracking().ToDictionaryAsync(c => c.OrganizationId, c => c.Sequence);
            return last.Sum(o => Math.Max(0, o.LastSequence - pushed.GetValueOrDefault(o.Id)));
        }

        private static Task<long> BatchesQueued(AppDbContext db) =>
            db.ParticipantBatches.LongCountAsync(b => b.Status == BatchStatus.Accepted || b.Status == BatchStatus.Processing);
    }
}
