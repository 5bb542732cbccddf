using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

public sealed record ParticipantChange(string ChangeId, string ParticipantRef, ParticipantChangeType Type, DateTime OccurredAt);

public sealed record ParticipantChangesResult(int Received, int Applied, int Duplicates);

/// <summary>
/// Applies participant changes to one event: idempotent per change id, ordered by when each change
/// occurred, counters moved incrementally (no recount), one transaction per chunk, and one coverage
/// message per chunk rather than one per change.
/// </summary>
public sealed class ApplyParticipantChanges(AppDbContext db, OrganizationWrite write, IParticipantBulkWrites bulk)
{
    public const int ChunkSize = 5_000;

    public const string AutoCoverActor = "auto-cover";

    /// <param name="withinChunk">Runs inside each chunk's own change, after it, with the number of changes the chunk applied
    /// and whether it is the last: a batch's figures move in the transaction of the changes they count.</param>
    public async Task<ParticipantChangesResult> Handle(int organizationId, int eventId, IReadOnlyList<ParticipantChange> changes,
        CancellationToken ct, string? batchId = null, Func<OrganizationChange, int, bool, Task>? withinChunk = null)
    {
        var target = await (from e in db.Events
                            join o in db.Organizations on e.OrganizationId equals o.Id
                            where e.Id == eventId && e.OrganizationId == organizationId
                            select new { o.AutoCoverEnabled }).SingleOrDefaultAsync(ct)
            ?? throw Validation.NotFound("The event");
        var autoCover = target.AutoCoverEnabled
            ? await db.Products.AsNoTracking().SingleAsync(p => p.Code == ProductCodes.Subscription, ct)
            : null;

        // Stable sort: changes at the same instant keep the order they were sent in.
        var ordered = changes.Select((c, i) => (c, i)).OrderBy(x => x.c.OccurredAt).ThenBy(x => x.i).Select(x => x.c).ToList();
        int applied = 0, duplicates = 0;
        var chunks = ordered.Chunk(ChunkSize).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var (chunk, last) = (chunks[i], i == chunks.Count - 1);
            var (a, d) = await write.RunAsync(organizationId, async change =>
            {
                var result = await ApplyChunk(change, eventId, chunk, batchId, autoCover, ct);
                if (withinChunk is not null)
                {
                    await withinChunk(change, result.Applied, last);
                }

                return result;
            }, ct);
            applied += a;
            duplicates += d;
        }

        return new ParticipantChangesResult(changes.Count, applied, duplicates);
    }

    private async Task<(int Applied, int Duplicates)> ApplyChunk(OrganizationChange write, int eventId, ParticipantChange[] chunk,
        string? batchId, Product? autoCover, CancellationToken ct)
    {
        var (db, organizationId, now) = (write.Db, write.OrganizationId, write.Now);

        // Each list goes as one JSON parameter (json_each), not thousands of parameters that SQLite binds by name.
        var ids = chunk.Select(c => c.ChangeId).Distinct().ToList();
        var seen = (await db.AppliedChanges.AsNoTracking()
            .Where(c => c.OrganizationId == organizationId && EF.Parameter(ids).Contains(c.ChangeId))
            .Select(c => c.ChangeId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var refs = chunk.Select(c => c.ParticipantRef).Distinct().ToList();
        var participants = await db.Participants.AsNoTracking()
            .Where(p => p.EventId == eventId && EF.Parameter(refs).Contains(p.Reference))
            .ToDictionaryAsync(p => p.Reference, StringComparer.Ordinal, ct);

        var delta = default(CounterDelta);
        var created = new List<Participant>();
        var touched = new HashSet<Participant>(ReferenceEqualityComparer.Instance);
        var applied = new List<AppliedChange>(chunk.Length);
        var duplicates = 0;
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
                created.Add(participant);
            }

            var note = participant.NoEffect(change.Type, change.OccurredAt);
            delta += participant.Apply(change.Type, change.OccurredAt);
            touched.Add(participant);
            applied.Add(new AppliedChange
            {
                OrganizationId = organizationId, ChangeId = change.ChangeId, EventId = eventId, BatchId = batchId,
                ParticipantRef = change.ParticipantRef, Type = change.Type, OccurredAt = change.OccurredAt, AppliedAt = now, Note = note,
            });
        }

        if (applied.Count == 0)
        {
            return (0, duplicates);
        }

        await bulk.WriteAsync(db, created, touched.Where(p => p.Id != 0).ToList(), applied, ct);

        // Even when the counters did not move (a cancel after activating the app, a reinstatement, a late change), the
        // event's screens hear of it, so the participants tab's figures follow: one state message, coalesced per event.
        var e = await CoverageChanges.ApplyAsync(write, eventId, x => x.ApplyCounters(delta), ct);
        var missing = e.Products.FirstOrDefault(p => p.ProductCode == ProductCodes.Subscription)?.Missing ?? 0;
        if (autoCover is not null && delta.Counted > 0 && missing > 0)
        {
            await AutoCover(write, eventId, autoCover, missing, ct);
        }

        return (applied.Count, duplicates);
    }

    /// <summary>
    /// Opt-in: covers what the added participants made missing with a final transfer from the
    /// subscription pool, in the same change, never beyond the balance. Modules stay manual.
    /// </summary>
    private static async Task AutoCover(OrganizationChange change, int eventId, Product subscription, long missing, CancellationToken ct)
    {
        var available = await change.Db.Pools.AsNoTracking()
            .Where(p => p.OrganizationId == change.OrganizationId && p.ProductCode == ProductCodes.Subscription)
            .Select(p => (long?)p.Available).SingleOrDefaultAsync(ct) ?? 0;
        var quantity = Math.Min(missing, available);
        if (quantity > 0)
        {
            await new TransferOrder(eventId, subscription, quantity, AutoCoverActor, "auto-cover:" + Guid.NewGuid().ToString("N")).ApplyAsync(change, ct);
        }
    }
}
