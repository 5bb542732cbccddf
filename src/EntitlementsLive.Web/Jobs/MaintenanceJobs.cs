using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Live;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Jobs;

/// <summary>The recurring jobs, registered under stable ids. Each is safe to run at any time, and twice.</summary>
public sealed partial class MaintenanceJobs(
    AppDbContext db,
    JobStorage storage,
    IBatchScheduler scheduler,
    TimeProvider clock,
    IChangeNotifier notifier,
    IOptions<JobsOptions> options,
    ILogger<MaintenanceJobs> log)
{
    public const string RequeueId = "participant-batches-requeue";
    public const string ReconcileId = "counters-reconcile";
    public const string PastId = "events-live-to-past";
    public const string PruneId = "outbox-prune";

    private static readonly HashSet<string> Held = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName,
    };

    /// <summary>Batches stored but held by no job (the in-memory job storage forgot them on a restart) are scheduled again.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public async Task<int> RequeueOrphans()
    {
        var open = await db.ParticipantBatches.AsNoTracking()
            .Where(b => b.Status == BatchStatus.Accepted || b.Status == BatchStatus.Processing)
            .OrderBy(b => b.CreatedAt).Select(b => new { b.Id, b.JobId }).ToListAsync();
        var requeued = 0;
        using var connection = storage.GetConnection();
        foreach (var batch in open)
        {
            var state = batch.JobId is null ? null : connection.GetStateData(batch.JobId)?.Name;
            if (state is not null && Held.Contains(state))
            {
                continue;
            }

            var jobId = scheduler.Schedule(batch.Id);
            await db.WriteAsync(() => db.ParticipantBatches.Where(b => b.Id == batch.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.JobId, jobId)));
            requeued++;
            LogRequeued(log, batch.Id, state ?? "none");
        }

        return requeued;
    }

    /// <summary>Recounts every event's participants; any drift from the incremental counters is logged and fixed.</summary>
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(600)]
    public async Task<int> ReconcileCounters()
    {
        var counts = await db.Participants.GroupBy(p => p.EventId)
            .Select(g => new { EventId = g.Key, Counted = g.Count(p => !p.Cancelled || p.AppActivated), Activated = g.Count(p => p.AppActivated) })
            .ToDictionaryAsync(x => x.EventId);
        var stored = await db.Events.AsNoTracking()
            .Select(e => new { e.Id, e.OrganizationId, e.CountedParticipants, e.ActivatedParticipants })
            .ToListAsync();
        var drifted = stored.Where(e =>
        {
            var c = counts.GetValueOrDefault(e.Id);
            return (c?.Counted ?? 0) != e.CountedParticipants || (c?.Activated ?? 0) != e.ActivatedParticipants;
        }).ToList();

        var fixedCount = 0;
        foreach (var candidate in drifted)
        {
            if (await Repair(candidate.OrganizationId, candidate.Id))
            {
                fixedCount++;
                notifier.Committed(candidate.OrganizationId);
            }
        }

        return fixedCount;
    }

    private async Task<bool> Repair(int organizationId, int eventId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginWriteAsync();

        // Recounted inside the transaction: a batch applied meanwhile is not mistaken for drift.
        var counted = await db.Participants.CountAsync(p => p.EventId == eventId && (!p.Cancelled || p.AppActivated));
        var activated = await db.Participants.CountAsync(p => p.EventId == eventId && p.AppActivated);
        var e = await db.Events.Include(x => x.Products).SingleAsync(x => x.Id == eventId);
        var (storedCounted, storedActivated, wasMissing) = (e.CountedParticipants, e.ActivatedParticipants, e.IsMissing);
        if (!e.Reconcile(counted, activated))
        {
            return false;
        }

        // The flag is refreshed below, where a change of it also updates the organization's missing count.
        e.SetMissing(wasMissing);

        LogDrift(log, eventId, storedCounted, counted, storedActivated, activated);
        await db.SaveChangesAsync();
        var coverage = await CoverageChanges.RefreshAsync(db, organizationId, eventId, now, CancellationToken.None);
        var sequence = await OutboxWriter.ReserveAsync(db, organizationId, coverage.MessageCount, CancellationToken.None);
        coverage.AddMessages(db, organizationId, sequence, now);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return true;
    }

    /// <summary>Events that ended since the last run move from Live to Past on every screen.</summary>
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(60)]
    public async Task<int> AnnouncePastEvents()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ended = await (from e in db.Events.AsNoTracking()
                           join o in db.Organizations on e.OrganizationId equals o.Id
                           where !e.PastAnnounced && e.EndsAt <= now && o.EntitlementsActivated
                           select new { e.Id, e.OrganizationId }).ToListAsync();
        foreach (var org in ended.GroupBy(e => e.OrganizationId))
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginWriteAsync();
            var ids = org.Select(e => e.Id).ToList();
            await db.Events.Where(e => ids.Contains(e.Id)).ExecuteUpdateAsync(s => s.SetProperty(e => e.PastAnnounced, true));
            var catalog = await Snapshots.ProductsAsync(db, CancellationToken.None);
            var events = await db.Events.AsNoTracking().Include(e => e.Products).Where(e => ids.Contains(e.Id)).ToListAsync();
            var sequence = await OutboxWriter.ReserveAsync(db, org.Key, events.Count + 1, CancellationToken.None);
            foreach (var e in events)
            {
                var dto = Snapshots.ToDto(e, e.Products, catalog, now);
                db.Outbox.Add(OutboxWriter.Message(org.Key, sequence, MessageTypes.EventCoverageChanged, OutboxWriter.EventKey(e.Id), e.Id,
                    new EventCoverageChangedMessage(org.Key, sequence, e.Id, e.Name, dto.Status, dto.Missing, dto.CountedParticipants, dto.ActivatedParticipants, dto.Products), now));
                sequence++;
            }

            var counts = await Snapshots.MissingCountsAsync(db, org.Key, now, CancellationToken.None);
            db.Outbox.Add(OutboxWriter.Message(org.Key, sequence, MessageTypes.MissingEntitlementsChanged, OutboxWriter.OrganizationKey, null,
                new MissingEntitlementsChangedMessage(org.Key, sequence, counts.LiveEventsMissing, counts.PastEventsMissing), now));
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            notifier.Committed(org.Key);
        }

        return ended.Count;
    }

    /// <summary>Deletes outbox rows past their retention that were already pushed; clients older than that reload.</summary>
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(600)]
    public async Task<int> PruneOutbox()
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - TimeSpan.FromHours(options.Value.OutboxRetentionHours);
        var deleted = 0;
        foreach (var cursor in await db.OutboxCursors.AsNoTracking().ToListAsync())
        {
            deleted += await db.Outbox
                .Where(m => m.OrganizationId == cursor.OrganizationId && m.Sequence <= cursor.Sequence && m.CreatedAt < cutoff)
                .ExecuteDeleteAsync();
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Requeued participant batch {BatchId} (its job was {State})")]
    private static partial void LogRequeued(ILogger logger, string batchId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counter drift on event {EventId}: counted {StoredCounted} -> {Counted}, activated {StoredActivated} -> {Activated}; fixed")]
    private static partial void LogDrift(ILogger logger, int eventId, int storedCounted, int counted, int storedActivated, int activated);
}
