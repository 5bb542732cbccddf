using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// The bulk writes of a chunk of participant changes, inside the caller's transaction: one statement per kind of row,
/// prepared once and run per row with its values bound by position (<see cref="SqliteRowStatement"/>). Binding
/// thousands of named parameters, change tracking thousands of entities, or unpacking a JSON array in SQL each cost
/// more than the rows themselves.
/// </summary>
public sealed class SqliteParticipantBulkWrites : IParticipantBulkWrites
{
    public Task WriteAsync(AppDbContext db, IReadOnlyList<Participant> created, IReadOnlyList<Participant> updated, IReadOnlyList<AppliedChange> applied,
        CancellationToken ct)
    {
        if (created.Count > 0)
        {
            using var insert = new SqliteRowStatement(db, """
                INSERT INTO Participants (EventId, Reference, Cancelled, AppActivated, StatusAt, State, LastChangeAt)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """);
            foreach (var p in created)
            {
                insert.Bind(1, p.EventId).Bind(2, p.Reference).Bind(3, p.Cancelled).Bind(4, p.AppActivated)
                    .Bind(5, p.StatusAt).Bind(6, (long)p.State).Bind(7, p.LastChangeAt).Run();
            }
        }

        if (updated.Count > 0)
        {
            using var update = new SqliteRowStatement(db, """
                UPDATE Participants SET Cancelled = ?2, AppActivated = ?3, StatusAt = ?4, State = ?5, LastChangeAt = ?6 WHERE Id = ?1
                """);
            foreach (var p in updated)
            {
                update.Bind(1, p.Id).Bind(2, p.Cancelled).Bind(3, p.AppActivated).Bind(4, p.StatusAt).Bind(5, (long)p.State).Bind(6, p.LastChangeAt).Run();
            }
        }

        if (applied.Count > 0)
        {
            using var insert = new SqliteRowStatement(db, """
                INSERT INTO AppliedChanges (OrganizationId, ChangeId, EventId, BatchId, ParticipantRef, Type, OccurredAt, AppliedAt, Note)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                """);
            foreach (var c in applied)
            {
                insert.Bind(1, c.OrganizationId).Bind(2, c.ChangeId).Bind(3, c.EventId).Bind(4, c.BatchId).Bind(5, c.ParticipantRef)
                    .Bind(7, c.OccurredAt).Bind(8, c.AppliedAt).Bind(9, c.Note);
                if (c.Type is { } type)
                {
                    insert.Bind(6, (long)type);
                }

                insert.Run();
            }
        }

        return Task.CompletedTask;
    }
}
