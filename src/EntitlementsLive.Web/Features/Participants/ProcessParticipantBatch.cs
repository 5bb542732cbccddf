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
            changes = JsonSerializer.Deserialize<List<ParticipantChange>>(batch.Changes, OutboxWriter.Json) ?? [];
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
                var before = await AppliedBy(batchId, ct);
                await apply.Handle(batch.OrganizationId, batch.EventId, changes, ct, batchId, (applied, _) =>
                    db.WriteAsync(() => db.ParticipantBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(s => s
                        .SetProperty(b => b.Applied, before + applied)
                        .SetProperty(b => b.UpdatedAt, clock.GetUtcNow().UtcDateTime), ct), ct));
                await Finish(batchId, BatchStatus.Done, null, ct);
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

    private Task<int> AppliedBy(string batchId, CancellationToken ct) => db.AppliedChanges.CountAsync(c => c.BatchId == batchId, ct);

    /// <summary>The batch's figures come from the applied change ids it owns, so they stay exact across retries.</summary>
    private async Task Finish(string batchId, BatchStatus status, string? error, CancellationToken ct)
    {
        var applied = await AppliedBy(batchId, ct);
        await db.WriteAsync(() => db.ParticipantBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.Status, status)
            .SetProperty(b => b.Applied, applied)
            .SetProperty(b => b.Duplicates, b => b.Received - applied)
            .SetProperty(b => b.Error, error)
            .SetProperty(b => b.UpdatedAt, clock.GetUtcNow().UtcDateTime), ct), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {BatchId} failed on attempt {Attempt}; retrying")]
    private static partial void LogRetry(ILogger logger, Exception ex, string batchId, int attempt);
}
