using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>
/// Applies one stored batch. Safe to run twice (finished batches return at once, applied change ids are
/// skipped), and retries transient failures itself so that a batch ends either done or failed with a reason.
/// </summary>
public sealed partial class ProcessParticipantBatch(AppDbContext db, ApplyParticipantChanges apply, TimeProvider clock, ILogger<ProcessParticipantBatch> log)
{
    public const int Attempts = 3;

    public async Task Handle(string batchId, CancellationToken ct)
    {
        var batch = await db.ParticipantBatches.SingleOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null || batch.Status is BatchStatus.Done or BatchStatus.Failed)
        {
            return;
        }

        batch.Status = BatchStatus.Processing;
        batch.Attempts++;
        batch.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        List<ParticipantChange> changes;
        try
        {
            var stored = await db.ParticipantBatchChanges.AsNoTracking().Where(c => c.BatchId == batchId).Select(c => c.Changes).SingleOrDefaultAsync(ct)
                ?? throw new JsonException("they are missing.");
            changes = JsonSerializer.Deserialize<List<ParticipantChange>>(stored, OutboxWriter.Json) ?? [];
        }
        catch (JsonException ex)
        {
            await Finish(batchId, BatchStatus.Failed, "The stored changes cannot be read: " + ex.Message, ct);
            throw new InvalidOperationException($"Batch {batchId} failed: its stored changes cannot be read.", ex);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await apply.Handle(batch.OrganizationId, batch.EventId, changes, ct, batchId, (change, applied, last) => Progress(change, batchId, applied, last, ct));
                return;
            }
            catch (DomainException ex)
            {
                // The batch itself cannot be applied (its event is gone, say): retrying will not help.
                await Finish(batchId, BatchStatus.Failed, ex.Message, ct);
                throw new InvalidOperationException($"Batch {batchId} failed: {ex.Message}", ex);
            }
            catch (Exception ex) when (attempt < Attempts && !ct.IsCancellationRequested)
            {
                LogRetry(log, ex, batchId, attempt);
                db.ChangeTracker.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), clock, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                db.ChangeTracker.Clear();
                await Finish(batchId, BatchStatus.Failed, "Could not be applied after " + Attempts + " attempts: " + ex.Message, ct);
                throw;
            }
        }
    }

    /// <summary>
    /// Inside each chunk's transaction: the batch's figures move with the changes they count (a chunk rolled back takes
    /// its figures with it, a chunk applied again after a crash or a retry adds nothing, its change ids being applied
    /// already), so they stay exact without counting rows, and the last chunk finishes the batch. No write of its own per
    /// chunk, and none to finish.
    /// </summary>
    private static Task<int> Progress(OrganizationChange change, string batchId, int applied, bool last, CancellationToken ct)
    {
        var now = change.Now;
        var batch = change.Db.ParticipantBatches.Where(b => b.Id == batchId);
        return last
            ? batch.ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Applied, b => b.Applied + applied)
                .SetProperty(b => b.Duplicates, b => b.Received - b.Applied - applied)
                .SetProperty(b => b.Status, BatchStatus.Done)
                .SetProperty(b => b.UpdatedAt, now), ct)
            : batch.ExecuteUpdateAsync(s => s.SetProperty(b => b.Applied, b => b.Applied + applied).SetProperty(b => b.UpdatedAt, now), ct);
    }

    /// <summary>Ends the batch as it stands: its applied figure is exact (each chunk counted its own), the rest were not applied.</summary>
    private async Task Finish(string batchId, BatchStatus status, string? error, CancellationToken ct) =>
        await db.WriteAsync(() => db.ParticipantBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.Status, status)
            .SetProperty(b => b.Duplicates, b => b.Received - b.Applied)
            .SetProperty(b => b.Error, error)
            .SetProperty(b => b.UpdatedAt, clock.GetUtcNow().UtcDateTime), ct), ct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {BatchId} failed on attempt {Attempt}; retrying")]
    private static partial void LogRetry(ILogger logger, Exception ex, string batchId, int attempt);
}
