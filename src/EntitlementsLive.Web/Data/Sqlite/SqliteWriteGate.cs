using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// A write transaction that first queues for the database file's single writer slot in this process.
/// SQLite admits one writer at a time; writers that collide on its lock back off by sleeping (1, 2, 5,
/// 10 … ms), so under load the lock sits idle while they sleep. Queuing here hands it over at once.
/// On PostgreSQL there is no gate: rows are locked, not the file, and writers of one organization queue on its row.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private readonly IDbContextTransaction _transaction;
    private readonly SemaphoreSlim? _gate;
    private int _released;

    private WriteTransaction(IDbContextTransaction transaction, SemaphoreSlim? gate)
    {
        _transaction = transaction;
        _gate = gate;
    }

    /// <summary>The file's one writer slot in this process, shared with the group commit of <see cref="Sqlite.SqliteGroupCommit"/>.</summary>
    internal static SemaphoreSlim GateFor(DatabaseFacade database) => Gates.GetOrAdd(database.GetConnectionString() ?? "", _ => new SemaphoreSlim(1, 1));

    public static async Task<WriteTransaction> BeginAsync(DatabaseFacade database, CancellationToken ct)
    {
        if (!database.IsSqlite())
        {
            return new WriteTransaction(await database.BeginTransactionAsync(ct), null);
        }

        var gate = GateFor(database);
        await gate.WaitAsync(ct);
        try
        {
            return new WriteTransaction(await database.BeginTransactionAsync(ct), gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    public Task CommitAsync(CancellationToken ct = default) => _transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.DisposeAsync();
        }
        finally
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _gate?.Release();
            }
        }
    }
}

public static class WriteTransactionExtensions
{
    public static Task<WriteTransaction> BeginWriteAsync(this DatabaseFacade database, CancellationToken ct = default) =>
        WriteTransaction.BeginAsync(database, ct);

    /// <summary>A write transaction of one organization: on PostgreSQL its row is locked first (see <see cref="Sql.LockOrganizationAsync"/>).</summary>
    public static async Task<WriteTransaction> BeginWriteAsync(this AppDbContext db, int organizationId, CancellationToken ct = default)
    {
        var tx = await WriteTransaction.BeginAsync(db.Database, ct);
        try
        {
            await Sql.LockOrganizationAsync(db, organizationId, ct);
            return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>A short write (a status, a counter) in its own queued transaction.</summary>
    public static async Task<T> WriteAsync<T>(this AppDbContext db, Func<Task<T>> work, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginWriteAsync(ct);
        var result = await work();
        await tx.CommitAsync(ct);
        return result;
    }
}
