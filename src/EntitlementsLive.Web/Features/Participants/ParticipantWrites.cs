using System.Data;
using System.Data.Common;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>
/// The bulk writes of a chunk of participant changes: one prepared statement per kind of row, reused for
/// every row, inside the caller's transaction. Change tracking thousands of rows per chunk cost more than
/// the rules themselves; the SQL is plain and portable.
/// </summary>
internal static class ParticipantWrites
{
    public static void Write(AppDbContext db, int organizationId, int eventId, string? batchId,
        IReadOnlyList<Participant> created, IEnumerable<Participant> updated, IReadOnlyList<string> appliedIds)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Participant writes need the caller's transaction.");

        using (var insert = Command(connection, transaction,
                   "INSERT INTO Participants (EventId, Reference, Cancelled, AppActivated, StatusAt) VALUES (@event, @reference, @cancelled, @activated, @at)",
                   ("@event", DbType.Int32), ("@reference", DbType.String), ("@cancelled", DbType.Boolean), ("@activated", DbType.Boolean), ("@at", DbType.DateTime)))
        {
            foreach (var p in created)
            {
                Run(insert, eventId, p.Reference, p.Cancelled, p.AppActivated, p.StatusAt);
            }
        }

        using (var update = Command(connection, transaction,
                   "UPDATE Participants SET Cancelled = @cancelled, AppActivated = @activated, StatusAt = @at WHERE Id = @id",
                   ("@cancelled", DbType.Boolean), ("@activated", DbType.Boolean), ("@at", DbType.DateTime), ("@id", DbType.Int64)))
        {
            foreach (var p in updated)
            {
                Run(update, p.Cancelled, p.AppActivated, p.StatusAt, p.Id);
            }
        }

        using var applied = Command(connection, transaction,
            "INSERT INTO AppliedChanges (OrganizationId, ChangeId, EventId, BatchId) VALUES (@org, @change, @event, @batch)",
            ("@org", DbType.Int32), ("@change", DbType.String), ("@event", DbType.Int32), ("@batch", DbType.String));
        foreach (var id in appliedIds)
        {
            Run(applied, organizationId, id, eventId, (object?)batchId ?? DBNull.Value);
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params (string Name, DbType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
        }

        command.Prepare();
        return command;
    }

    private static void Run(DbCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }
}
