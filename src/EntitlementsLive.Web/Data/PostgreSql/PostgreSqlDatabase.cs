using Npgsql;

namespace EntitlementsLive.Web.Data.PostgreSql;

/// <summary>
/// The PostgreSQL server behind the context, for what EF Core does not do: session advisory locks (the outbox lease,
/// start-up) and LISTEN/NOTIFY (commits on any node wake the drainer).
/// </summary>
public sealed class PostgreSqlDatabase(string connectionString)
{
    /// <summary>Advisory lock keys: one number per purpose, shared by every node of a cluster.</summary>
    public const long OutboxLeaseKey = 0x454C_0001;

    public const long StartupKey = 0x454C_0002;

    /// <summary>The channel commits are announced on; the payload is the organization's id.</summary>
    public const string OutboxChannel = "entitlements_outbox";

    public string ConnectionString { get; } = connectionString;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// A connection of its own for a session lock: not pooled (a pooled connection goes back to the pool still holding
    /// its locks), with TCP and query keepalives so a dead peer is noticed on both ends.
    /// </summary>
    private async Task<NpgsqlConnection> OpenForLockAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            TcpKeepAlive = true,
            // The server side too: a holder whose machine vanished without closing its connection frees the lease in
            // about 11 s (not the system's default of hours). Longer than the holder's own check (3 s + a 3 s ping), so
            // a holder that lost its connection stops before another node starts.
            Options = "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3",
        }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Waits for the session lock <paramref name="key"/>; it is held until the returned connection is disposed.</summary>
    public async Task<IAsyncDisposable> LockAsync(long key, CancellationToken ct)
    {
        var connection = await OpenForLockAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection of its own for the outbox lease: see <see cref="TryLockAsync"/>.</summary>
    public Task<NpgsqlConnection> OpenLeaseConnectionAsync(CancellationToken ct) => OpenForLockAsync(ct);

    /// <summary>
    /// Takes the session lock <paramref name="key"/> on <paramref name="connection"/> if no other session holds it: the
    /// lease is held while that connection lives, and PostgreSQL frees it the moment the holder's connection dies.
    /// </summary>
    public static async Task<bool> TryLockAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", key);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>
    /// Creates the database the connection string names when it does not exist yet (through the server's maintenance
    /// database), so the first start of the first node does not begin with a failed connection. Two nodes racing here
    /// both succeed.
    /// </summary>
    public async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        try
        {
            // The usual case: it exists (and the maintenance database may not even be open to this user).
            await using var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
            await probe.OpenAsync(ct);
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // It does not exist yet: create it below.
        }

        var target = new NpgsqlConnectionStringBuilder(ConnectionString);
        // No database named: PostgreSQL uses the user's name.
        var name = target.Database ?? target.Username!;
        target.Database = "postgres";
        target.Pooling = false;
        await using var connection = new NpgsqlConnection(target.ToString());
        await connection.OpenAsync(ct);
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another node created it a moment ago.
        }
    }

    /// <summary>Announces a commit of <paramref name="organizationIds"/> to whichever node drains the outbox.</summary>
    public async Task NotifyAsync(IReadOnlyCollection<int> organizationIds, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", OutboxChannel);
        command.Parameters.AddWithValue("payload", string.Join(',', organizationIds));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The organizations a <see cref="NotifyAsync"/> payload names (what cannot be read is left out).</summary>
    public static IEnumerable<int> ParseNotification(string payload)
    {
        foreach (var id in payload.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var organizationId))
            {
                yield return organizationId;
            }
        }
    }
}
