using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// The seam for the bulk writes of a chunk of participant changes (new and changed participants, applied
/// change ids), inside the caller's transaction. Each database provider writes them its fastest way.
/// </summary>
public interface IParticipantBulkWrites
{
    Task WriteAsync(AppDbContext db, int organizationId, int eventId, string? batchId,
        IReadOnlyList<Participant> created, IReadOnlyList<Participant> updated, IReadOnlyList<string> appliedIds, CancellationToken ct);
}
