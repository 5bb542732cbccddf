using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
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
        var (command, cached) = Command(db, sql, parameters);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? read(reader) : null;
        }
        finally
        {
            await ReleaseAsync(command, cached);
        }
    }

    /// <summary>Every row the statement gives, each read by <paramref name="read"/>.</summary>
    public static async Task<List<T>> RowsAsync<T>(AppDbContext db, string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        var (command, cached) = Command(db, sql, parameters);
        try
        {
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        finally
        {
            await ReleaseAsync(command, cached);
        }
    }

    public static async Task<int> ExecuteAsync(AppDbContext db, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        var (command, cached) = Command(db, sql, parameters);
        try
        {
            return await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await ReleaseAsync(command, cached);
        }
    }

    private static (DbCommand Command, bool Cached) Command(AppDbContext db, string sql, (string Name, object Value)[] parameters)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("This statement runs inside the caller's transaction.");
        var connection = db.Database.GetDbConnection();
        var (command, cached) = PreparedStatements.For(connection, sql);
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return (command, cached);
    }

    private static async ValueTask ReleaseAsync(DbCommand command, bool cached)
    {
        if (cached)
        {
            // Kept prepared for the next statement of the same text on this connection; its values go with this one.
            command.Parameters.Clear();
        }
        else
        {
            await command.DisposeAsync();
        }
    }

    /// <summary>
    /// Keeps this context's statements prepared for as long as its connection lives, which the caller opened and keeps
    /// open (the SQLite group-commit writer). SQLite prepares a statement anew for every command, and on the writer that
    /// was a third of its time (a profile of 8 writers: the pool read spent 78 % preparing, the guarded updates 77 %,
    /// the ledger insert 41 %). Only for a connection that stays open: Microsoft.Data.Sqlite registers its functions and
    /// collations on every open, which SQLite refuses while statements are prepared.
    /// </summary>
    public static void KeepPrepared(AppDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        if (connection is SqliteConnection && connection.State == System.Data.ConnectionState.Open)
        {
            PreparedStatements.Keep(connection);
        }
    }

    /// <summary>
    /// The commands of <see cref="KeepPrepared"/>'s connections, by statement text. SQLite re-prepares a kept statement by
    /// itself if the schema changes; disposing the connection finalizes them. A connection is used by one caller at a
    /// time (its context is), so a connection's commands need no lock. Any other connection gets a command per
    /// statement (Npgsql prepares on its own side).
    /// </summary>
    private static class PreparedStatements
    {
        // The outbox insert is one statement per row count: a connection keeps at most this many.
        private const int MaxPerConnection = 64;

        private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Kept = new();

        public static void Keep(DbConnection connection) => Kept.GetValue(connection, _ => new Dictionary<string, DbCommand>(StringComparer.Ordinal));

        public static (DbCommand Command, bool Cached) For(DbConnection connection, string sql)
        {
            if (!Kept.TryGetValue(connection, out var kept) || connection.State != System.Data.ConnectionState.Open)
            {
                var plain = connection.CreateCommand();
                plain.CommandText = sql;
                return (plain, false);
            }

            if (kept.TryGetValue(sql, out var command))
            {
                return (command, true);
            }

            command = connection.CreateCommand();
            command.CommandText = sql;
            if (kept.Count >= MaxPerConnection)
            {
                return (command, false);
            }

            kept[sql] = command;
            return (command, true);
        }
    }
}
