using EntitlementsLive.Web.Features.Participants;
using Hangfire;
using Hangfire.States;

namespace EntitlementsLive.Web.Jobs;

/// <summary>A shell: takes the batch id and calls the feature that applies it (it retries and records failures itself).</summary>
public sealed class ParticipantBatchJob(ProcessParticipantBatch process)
{
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Apply participant batch {0}")]
    public Task Run(string batchId, CancellationToken ct) => process.Handle(batchId, ct);
}

/// <summary>Schedules batch jobs on Hangfire, and tells whether a job still holds its batch.</summary>
public sealed class HangfireBatchScheduler(IBackgroundJobClient jobs, JobStorage storage) : IBatchScheduler
{
    private static readonly HashSet<string> Held = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName,
    };

    public string Schedule(string batchId) => jobs.Enqueue<ParticipantBatchJob>(j => j.Run(batchId, CancellationToken.None));

    public bool IsHeld(string? jobId) => IsHeldIn(storage, jobId);

    /// <summary>Whether a job still holds its work (enqueued, scheduled, awaiting or running).</summary>
    public static bool IsHeldIn(JobStorage storage, string? jobId)
    {
        if (jobId is null)
        {
            return false;
        }

        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name is { } state && Held.Contains(state);
    }
}

/// <summary>A shell: one attempt of one webhook delivery (the feature schedules the next one itself).</summary>
public sealed class WebhookDeliveryJob(Features.Webhooks.DeliverWebhook deliver)
{
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Deliver webhook {0}")]
    public Task Run(long deliveryId, CancellationToken ct) => deliver.Handle(deliveryId, ct);
}

/// <summary>Schedules webhook attempts on Hangfire.</summary>
public sealed class HangfireWebhookScheduler(IBackgroundJobClient jobs, JobStorage storage) : Features.Webhooks.IWebhookScheduler
{
    public string Schedule(long deliveryId, TimeSpan delay) => delay <= TimeSpan.Zero
        ? jobs.Enqueue<WebhookDeliveryJob>(j => j.Run(deliveryId, CancellationToken.None))
        : jobs.Schedule<WebhookDeliveryJob>(j => j.Run(deliveryId, CancellationToken.None), delay);

    public bool IsHeld(string? jobId) => HangfireBatchScheduler.IsHeldIn(storage, jobId);
}
