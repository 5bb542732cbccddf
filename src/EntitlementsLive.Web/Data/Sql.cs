using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// A plain statement on the context's connection and transaction, for the few hot writes that need
/// RETURNING (portable: SQLite 3.35+ and PostgreSQL) and that EF Core cannot express.
/// </summary>
public static class Sql
{
    /// <summary>
    /// On PostgreSQL, locks the organization's row first thing in a write transaction. Every writer of one organization
    /// then queues on that row and takes its other rows (pools, events, the sequence) in one order, so two writers
    /// never deadlock. SQLite admits one writer at a time anyway.
    /// </summary>
    /// <returns>The organization's last outbox sequence, read under that lock.</returns>
    public static async Task<long> LockOrganizationAsync(AppDbContext db, int organizationId, CancellationToken ct) =>
        (await ReturningAsync(db, db.Database.IsNpgsql()
                ? """SELECT "LastSequence" FROM "Organizations" WHERE "Id" = @org FOR NO KEY UPDATE"""
                : """SELECT "LastSequence" FROM "Organizations" WHERE "Id" = @org""",
            r => new[] { r.GetInt64(0) }, ct, ("@org", organizationId))
            ?? throw new InvalidOperationException($"Organization {organizationId} does not exist."))[0];

    public static async Task<T[]?> ReturningAsync<T>(AppDbContext db, string sql, Func<DbDataReader, T[]> read, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(db, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : null;
    }

    public static async Task<int> ExecuteAsync(AppDbContext db, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(db, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(AppDbContext db, string sql, (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("This statement runs inside the caller's transaction.");
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
