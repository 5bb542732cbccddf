using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// Sets the busy timeout on every connection SQLite opens, so concurrent writers queue instead of failing. The setting
/// belongs to the native connection, which the pool keeps open across opens: it is set once per native connection, not
/// on every open (a statement each time, and EF Core opens per query).
/// </summary>
public sealed class SqlitePragmas(int busyTimeoutMs) : DbConnectionInterceptor
{
    private static readonly object Set = new();

    private readonly string _sql = FormattableString.Invariant($"PRAGMA busy_timeout={busyTimeoutMs};");
    private readonly ConditionalWeakTable<object, object> _done = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!Done(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _sql;
            command.ExecuteNonQuery();
            Remember(connection);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!Done(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Remember(connection);
        }
    }

    // A native connection is used by one connection object at a time, so no two opens race for one.
    private bool Done(DbConnection connection) => connection is SqliteConnection { Handle: { } handle } && _done.TryGetValue(handle, out _);

    private void Remember(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            _done.AddOrUpdate(handle, Set);
        }
    }
}
