using System.Globalization;
using System.Text.Json;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// The bulk writes of a chunk of participant changes, inside the caller's transaction: each kind of row
/// goes as one JSON array in one statement that SQLite unpacks with json_each, the way EF Core itself
/// sends collections to SQLite. Binding thousands of parameters (or change tracking thousands of
/// entities) cost more than the rules themselves.
/// </summary>
public sealed class SqliteParticipantBulkWrites : IParticipantBulkWrites
{
    /// <summary>How EF Core stores a DateTime in SQLite, so these rows read back like any other.</summary>
    private const string SqliteDateTime = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    public async Task WriteAsync(AppDbContext db, IReadOnlyList<Participant> created, IReadOnlyList<Participant> updated, IReadOnlyList<AppliedChange> applied,
        CancellationToken ct)
    {
        if (created.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                INSERT INTO Participants (EventId, Reference, Cancelled, AppActivated, StatusAt, State, LastChangeAt)
                SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                       json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]')
                FROM json_each(@rows)
                """, ct, ("@rows", Json(created, (w, p) => { w.WriteNumberValue(p.EventId); w.WriteStringValue(p.Reference); Flags(w, p); })));
        }

        if (updated.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                UPDATE Participants
                SET Cancelled = json_extract(v.value, '$[1]'), AppActivated = json_extract(v.value, '$[2]'), StatusAt = json_extract(v.value, '$[3]'),
                    State = json_extract(v.value, '$[4]'), LastChangeAt = json_extract(v.value, '$[5]')
                FROM json_each(@rows) AS v
                WHERE Participants.Id = json_extract(v.value, '$[0]')
                """, ct, ("@rows", Json(updated, (w, p) => { w.WriteNumberValue(p.Id); Flags(w, p); })));
        }

        if (applied.Count > 0)
        {
            await Sql.ExecuteAsync(db, """
                INSERT INTO AppliedChanges (OrganizationId, ChangeId, EventId, BatchId, ParticipantRef, Type, OccurredAt, AppliedAt, Note)
                SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                       json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]')
                FROM json_each(@rows)
                """, ct, ("@rows", Json(applied, (w, c) =>
                {
                    w.WriteNumberValue(c.OrganizationId);
                    w.WriteStringValue(c.ChangeId);
                    w.WriteNumberValue(c.EventId);
                    Nullable(w, c.BatchId);
                    Nullable(w, c.ParticipantRef);
                    if (c.Type is { } type)
                    {
                        w.WriteNumberValue((int)type);
                    }
                    else
                    {
                        w.WriteNullValue();
                    }

                    Nullable(w, c.OccurredAt?.ToString(SqliteDateTime, CultureInfo.InvariantCulture));
                    Nullable(w, c.AppliedAt?.ToString(SqliteDateTime, CultureInfo.InvariantCulture));
                    Nullable(w, c.Note);
                })));
        }
    }

    private static void Nullable(Utf8JsonWriter w, string? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(value);
        }
    }

    private static void Flags(Utf8JsonWriter w, Participant p)
    {
        w.WriteBooleanValue(p.Cancelled);
        w.WriteBooleanValue(p.AppActivated);
        w.WriteStringValue(p.StatusAt.ToString(SqliteDateTime, CultureInfo.InvariantCulture));
        w.WriteNumberValue((int)p.State);
        w.WriteStringValue(p.LastChangeAt.ToString(SqliteDateTime, CultureInfo.InvariantCulture));
    }

    /// <summary>A JSON array of rows, each an array written by <paramref name="row"/>.</summary>
    private static string Json<T>(IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> row)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(rows.Count * 48);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var item in rows)
            {
                w.WriteStartArray();
                row(w, item);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
