using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.PostgreSql;

/// <summary>
/// The bulk writes of a chunk of participant changes on PostgreSQL, inside the caller's transaction: each kind of row
/// goes as one array per column in one statement that PostgreSQL unpacks with unnest, so a chunk of thousands of rows
/// is three statements and a few parameters, not thousands.
/// </summary>
public sealed class PostgreSqlParticipantBulkWrites : IParticipantBulkWrites
{
    public async Task WriteAsync(AppDbContext db, IReadOnlyList<Participant> created, IReadOnlyList<Participant> updated, IReadOnlyList<AppliedChange> applied,
        CancellationToken ct)
    {
        if (created.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                INSERT INTO "Participants" ("EventId", "Reference", "Cancelled", "AppActivated", "StatusAt", "State", "LastChangeAt")
                SELECT * FROM unnest(@event, @reference, @cancelled, @activated, @statusAt, @state, @lastChangeAt)
                """, ct,
                ("@event", created.Select(p => p.EventId).ToArray()),
                ("@reference", created.Select(p => p.Reference).ToArray()),
                ("@cancelled", created.Select(p => p.Cancelled).ToArray()),
                ("@activated", created.Select(p => p.AppActivated).ToArray()),
                ("@statusAt", created.Select(p => Utc(p.StatusAt)).ToArray()),
                ("@state", created.Select(p => (int)p.State).ToArray()),
                ("@lastChangeAt", created.Select(p => Utc(p.LastChangeAt)).ToArray()));
        }

        if (updated.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                UPDATE "Participants" AS p
                SET "Cancelled" = v.cancelled, "AppActivated" = v.activated, "StatusAt" = v.status_at, "State" = v.state, "LastChangeAt" = v.last_change_at
                FROM unnest(@id, @cancelled, @activated, @statusAt, @state, @lastChangeAt) AS v(id, cancelled, activated, status_at, state, last_change_at)
                WHERE p."Id" = v.id
                """, ct,
                ("@id", updated.Select(p => p.Id).ToArray()),
                ("@cancelled", updated.Select(p => p.Cancelled).ToArray()),
                ("@activated", updated.Select(p => p.AppActivated).ToArray()),
                ("@statusAt", updated.Select(p => Utc(p.StatusAt)).ToArray()),
                ("@state", updated.Select(p => (int)p.State).ToArray()),
                ("@lastChangeAt", updated.Select(p => Utc(p.LastChangeAt)).ToArray()));
        }

        if (applied.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                INSERT INTO "AppliedChanges" ("OrganizationId", "ChangeId", "EventId", "BatchId", "ParticipantRef", "Type", "OccurredAt", "AppliedAt", "Note")
                SELECT * FROM unnest(@org, @change, @event, @batch::text[], @participant::text[], @type, @occurredAt, @appliedAt, @note::text[])
                """, ct,
                ("@org", applied.Select(c => c.OrganizationId).ToArray()),
                ("@change", applied.Select(c => c.ChangeId).ToArray()),
                ("@event", applied.Select(c => c.EventId).ToArray()),
                ("@batch", applied.Select(c => c.BatchId).ToArray()),
                ("@participant", applied.Select(c => c.ParticipantRef).ToArray()),
                ("@type", applied.Select(c => (int?)c.Type).ToArray()),
                ("@occurredAt", applied.Select(c => c.OccurredAt is { } at ? Utc(at) : (DateTime?)null).ToArray()),
                ("@appliedAt", applied.Select(c => c.AppliedAt is { } at ? Utc(at) : (DateTime?)null).ToArray()),
                ("@note", applied.Select(c => c.Note).ToArray()));
        }
    }

    /// <summary>Every instant is UTC (timestamptz); the domain's values are, this only labels them so.</summary>
    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
