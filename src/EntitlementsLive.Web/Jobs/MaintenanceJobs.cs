using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using Hangfire;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Jobs;

/// <summary>
/// The recurring jobs, registered under stable ids. Each is a shell around one feature handler, safe to run
/// at any time, and twice.
/// </summary>
public sealed class MaintenanceJobs(
    RequeueOrphanBatches requeue,
    ReconcileCounters reconcile,
    AnnouncePastEvents past,
    PruneOutbox prune,
    RefreshPlannerStatistics statistics,
    SweepUncoveredSoon uncovered,
    Features.Forecasts.SweepProjectedShortfalls projected,
    Features.Webhooks.RequeueWebhookDeliveries webhooks,
    IOptions<JobsOptions> options)
{
    public const string WebhooksId = "webhooks-requeue";

    public const string UncoveredId = "alerts-uncovered-soon";

    public const string ProjectedId = "alerts-projected-short";

    public const string RequeueId = "participant-batches-requeue";
    public const string ReconcileId = "counters-reconcile";
    public const string PastId = "events-live-to-past";
    public const string PruneId = "outbox-prune";
    public const string StatisticsId = "planner-statistics";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public Task<int> RequeueOrphans() => requeue.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(600)]
    public Task<int> ReconcileCounters() => reconcile.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(60)]
    public Task<int> AnnouncePastEvents() => past.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(60)]
    public Task<int> SweepUncoveredSoon() => uncovered.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(60)]
    public Task<int> SweepProjectedShortfalls() => projected.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public Task<int> RequeueWebhooks() => webhooks.Handle(CancellationToken.None);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(600)]
    public Task<int> PruneOutbox() => prune.Handle(TimeSpan.FromHours(options.Value.OutboxRetentionHours), CancellationToken.None);

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(600)]
    public Task<bool> RefreshPlannerStatistics() => statistics.Handle(atStartUp: false, CancellationToken.None);
}
