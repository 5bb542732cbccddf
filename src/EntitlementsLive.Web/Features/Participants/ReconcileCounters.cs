using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>
/// Recounts every event's participants with the counting rule; any drift from the incremental counters is
/// logged and repaired (the event's coverage and the organization's missing counts are pushed).
/// </summary>
public sealed partial class ReconcileCounters(AppDbContext db, OrganizationWrite write, ILogger<ReconcileCounters> log)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var counted = await PerEvent(db.Participants.Where(Participant.CountedRule), ct);
        var activated = await PerEvent(db.Participants.Where(p => p.AppActivated), ct);
        var stored = await db.Events.AsNoTracking()
            .Select(e => new { e.Id, e.OrganizationId, e.CountedParticipants, e.ActivatedParticipants })
            .ToListAsync(ct);
        var drifted = stored.Where(e =>
            counted.GetValueOrDefault(e.Id) != e.CountedParticipants || activated.GetValueOrDefault(e.Id) != e.ActivatedParticipants).ToList();

        var repaired = 0;
        foreach (var candidate in drifted)
        {
            if (await Repair(candidate.OrganizationId, candidate.Id, ct))
            {
                repaired++;
            }
        }

        return repaired;
    }

    private static async Task<Dictionary<int, int>> PerEvent(IQueryable<Participant> participants, CancellationToken ct) =>
        await participants.GroupBy(p => p.EventId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    private Task<bool> Repair(int organizationId, int eventId, CancellationToken ct) => write.RunAsync(organizationId, async change =>
    {
        // Recounted inside the change: a batch applied meanwhile is not mistaken for drift.
        var participants = change.Db.Participants.Where(p => p.EventId == eventId);
        var counted = await participants.CountAsync(Participant.CountedRule, ct);
        var activated = await participants.CountAsync(p => p.AppActivated, ct);
        var stored = await change.Db.Events.AsNoTracking().Where(e => e.Id == eventId)
            .Select(e => new { e.CountedParticipants, e.ActivatedParticipants }).SingleAsync(ct);
        if (stored.CountedParticipants == counted && stored.ActivatedParticipants == activated)
        {
            return false;
        }

        LogDrift(log, eventId, stored.CountedParticipants, counted, stored.ActivatedParticipants, activated);
        await CoverageChanges.ApplyAsync(change, eventId, e => e.Reconcile(counted, activated), ct);
        return true;
    }, ct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counter drift on event {EventId}: counted {StoredCounted} -> {Counted}, activated {StoredActivated} -> {Activated}; fixed")]
    private static partial void LogDrift(ILogger logger, int eventId, int storedCounted, int counted, int storedActivated, int activated);
}
