using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>Sets the busy timeout on every connection SQLite opens, so concurrent writers queue instead of failing.</summary>
public sealed class SqlitePragmas(int busyTimeoutMs) : DbConnectionInterceptor
{
    private readonly string _sql = FormattableString.Invariant($"PRAGMA busy_timeout={busyTimeoutMs};");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
