using Microsoft.EntityFrameworkCore;
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
    /// Takes the session lock <paramref name="key"/> on a connection of its own if no other session holds it: the lease
    /// is held while that connection lives, and PostgreSQL frees it the moment the holder's connection dies.
    /// </summary>
    public async Task<NpgsqlConnection?> TryLeaseAsync(long key, CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return connection;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
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
}

/// <summary>A lock across every node for start-up work (the demo seed); nothing to lock on SQLite's single node.</summary>
public static class StartupLock
{
    public static async Task<IAsyncDisposable> TakeAsync(AppDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return NoLock.Instance;
        }

        var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", PostgreSqlDatabase.StartupKey);
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
