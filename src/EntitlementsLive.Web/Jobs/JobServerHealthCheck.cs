using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Jobs;

/// <summary>Ready when the job storage answers and, on a node that runs jobs, its server has checked in.</summary>
public sealed class JobServerHealthCheck(JobStorage storage, IOptions<JobsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var servers = monitoring.Servers();
            if (options.Value.Server && servers.Count == 0)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("No job server has checked in yet."));
            }

            var stats = monitoring.GetStatistics();
            return Task.FromResult(HealthCheckResult.Healthy($"{servers.Count} job server(s); {stats.Enqueued} enqueued, {stats.Failed} failed."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The job storage does not answer.", ex));
        }
    }
}
