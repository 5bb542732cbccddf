using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>
/// Batches stored but held by no job (the in-memory job storage forgot them on a restart) are scheduled
/// again. Applying a batch twice is harmless: applied change ids are skipped.
/// </summary>
public sealed partial class RequeueOrphanBatches(AppDbContext db, IBatchScheduler scheduler, ILogger<RequeueOrphanBatches> log)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var open = await db.ParticipantBatches.AsNoTracking()
            .Where(b => b.Status == BatchStatus.Accepted || b.Status == BatchStatus.Processing)
            .OrderBy(b => b.CreatedAt).Select(b => new { b.Id, b.JobId }).ToListAsync(ct);
        var requeued = 0;
        foreach (var batch in open)
        {
            if (scheduler.IsHeld(batch.JobId))
            {
                continue;
            }

            var jobId = scheduler.Schedule(batch.Id);
            await db.WriteAsync(() => db.ParticipantBatches.Where(b => b.Id == batch.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.JobId, jobId), ct), ct);
            requeued++;
            LogRequeued(log, batch.Id, batch.JobId ?? "none");
        }

        return requeued;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Requeued participant batch {BatchId} (its job {JobId} was gone or finished)")]
    private static partial void LogRequeued(ILogger logger, string batchId, string jobId);
}
