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

    public bool IsHeld(string? jobId)
    {
        if (jobId is null)
        {
            return false;
        }

        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name is { } state && Held.Contains(state);
    }
}
