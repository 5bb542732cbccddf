using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// The seam for the bulk writes of a chunk of participant changes (new and changed participants, applied
/// changes, which are each participant's history), inside the caller's transaction. Each database provider writes them its fastest way.
/// </summary>
public interface IParticipantBulkWrites
{
    Task WriteAsync(AppDbContext db, IReadOnlyList<Participant> created, IReadOnlyList<Participant> updated, IReadOnlyList<AppliedChange> applied,
        CancellationToken ct);
}
