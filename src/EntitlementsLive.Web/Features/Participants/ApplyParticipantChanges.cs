using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

public sealed record ParticipantChange(string ChangeId, string ParticipantRef, ParticipantChangeType Type, DateTime OccurredAt);

public sealed record ParticipantChangesResult(int Received, int Applied, int Duplicates);

/// <summary>
/// Applies participant changes to one event: idempotent per change id, ordered by when each change
/// occurred, counters moved incrementally (no recount), one transaction per chunk, and one coverage
/// message per chunk rather than one per change.
/// </summary>
public sealed class ApplyParticipantChanges(AppDbContext db, TimeProvider clock, IChangeNotifier notifier)
{
    public const int ChunkSize = 2_000;

    public async Task<ParticipantChangesResult> Handle(int organizationId, int eventId, IReadOnlyList<ParticipantChange> changes,
        CancellationToken ct, Func<int, int, Task>? progress = null)
    {
        if (!await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizationId == organizationId, ct))
        {
            throw Validation.NotFound("The event");
        }

        // Stable sort: changes at the same instant keep the order they were sent in.
        var ordered = changes.Select((c, i) => (c, i)).OrderBy(x => x.c.OccurredAt).ThenBy(x => x.i).Select(x => x.c).ToList();
        int applied = 0, duplicates = 0;
        foreach (var chunk in ordered.Chunk(ChunkSize))
        {
            var (a, d) = await ApplyChunk(organizationId, eventId, chunk, ct);
            applied += a;
            duplicates += d;
            notifier.Committed(organizationId);
            if (progress is not null)
            {
                await progress(applied, duplicates);
            }
        }

        return new ParticipantChangesResult(changes.Count, applied, duplicates);
    }

    private async Task<(int Applied, int Duplicates)> ApplyChunk(int organizationId, int eventId, ParticipantChange[] chunk, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var ids = chunk.Select(c => c.ChangeId).Distinct().ToList();
        var seen = (await db.AppliedChanges.AsNoTracking()
            .Where(c => c.OrganizationId == organizationId && ids.Contains(c.ChangeId))
            .Select(c => c.ChangeId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var refs = chunk.Select(c => c.ParticipantRef).Distinct().ToList();
        var participants = await db.Participants
            .Where(p => p.EventId == eventId && refs.Contains(p.Reference))
            .ToDictionaryAsync(p => p.Reference, StringComparer.Ordinal, ct);

        var delta = default(CounterDelta);
        int applied = 0, duplicates = 0;
        foreach (var change in chunk)
        {
            if (!seen.Add(change.ChangeId))
            {
                duplicates++;
                continue;
            }

            if (!participants.TryGetValue(change.ParticipantRef, out var participant))
            {
                participant = new Participant(eventId, change.ParticipantRef);
                participants[change.ParticipantRef] = participant;
                db.Participants.Add(participant);
            }

            delta += participant.Apply(change.Type, change.OccurredAt);
            db.AppliedChanges.Add(new AppliedChange { OrganizationId = organizationId, ChangeId = change.ChangeId, EventId = eventId });
            applied++;
        }

        if (applied == 0)
        {
            return (0, duplicates);
        }

        await db.SaveChangesAsync(ct);
        if (delta != default)
        {
            await db.Events.Where(e => e.Id == eventId).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.CountedParticipants, e => e.CountedParticipants + delta.Counted)
                .SetProperty(e => e.ActivatedParticipants, e => e.ActivatedParticipants + delta.Activated), ct);
            await db.EventProducts.Where(p => p.EventId == eventId && p.ProductCode == ProductCodes.Subscription)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Required, p => p.Required + delta.Counted), ct);

            var coverage = await CoverageChanges.RefreshAsync(db, organizationId, eventId, now, ct);
            var sequence = await OutboxWriter.ReserveAsync(db, organizationId, coverage.MessageCount, ct);
            coverage.AddMessages(db, organizationId, sequence, now);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        return (applied, duplicates);
    }
}
