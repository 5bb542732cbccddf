using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// Group commit for SQLite's single writer. Changes queue here; the writer takes them in order into one transaction,
/// each inside a savepoint (a refused change is rolled back alone and answered with its own error), and commits the
/// group with one fsync. Nobody is answered before the group is durable. A group closes when the queue is empty or it
/// holds <see cref="MaxGroup"/> changes, so a lone change waits for nobody. Shares the file's write gate with the
/// short writes of <see cref="WriteTransaction"/>.
/// </summary>
public sealed partial class SqliteGroupCommit : IAsyncDisposable
{
    /// <summary>The most changes one commit carries: past it, the fsync is no longer the wall.</summary>
    public const int MaxGroup = 256;

    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly IChangeNotifier _notifier;
    private readonly IOutboxDrafts _drafts;
    private readonly ILogger<SqliteGroupCommit> _log;
    private readonly Task _writer;
    private readonly Metrics _metrics = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _queued = new();
    private AsyncServiceScope? _scope;

    public SqliteGroupCommit(IServiceScopeFactory scopes, TimeProvider clock, IChangeNotifier notifier, IOutboxDrafts drafts, ILogger<SqliteGroupCommit> log)
    {
        (_scopes, _clock, _notifier, _drafts, _log) = (scopes, clock, notifier, drafts, log);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Groups committed and changes in them since start (the bench prints the mean group size).</summary>
    public (long Groups, long Changes) Committed => (Interlocked.Read(ref _metrics.Groups), Interlocked.Read(ref _metrics.Changes));

    /// <summary>Changes of one organization waiting for the writer (tests hold the write gate and wait for a group to form).</summary>
    public int Queued(int organizationId) => _queued.GetValueOrDefault(organizationId);

    public Task<T> RunAsync<T>(int organizationId, Func<OrganizationChange, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new Item<T>(organizationId, work, ct);
        _queued.AddOrUpdate(organizationId, 1, (_, n) => n + 1);
        if (!_queue.Writer.TryWrite(item))
        {
            _queued.AddOrUpdate(organizationId, 0, (_, n) => n - 1);
            throw new ObjectDisposedException(nameof(SqliteGroupCommit));
        }

        return item.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (_scope is { } scope)
        {
            await scope.DisposeAsync();
        }
    }

    private async Task WriteAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            try
            {
                await GroupAsync();
            }
            catch (Exception ex)
            {
                // GroupAsync answers every change it took; this is a failure outside any change (no scope, say).
                LogGroupFailed(_log, ex);
            }
        }
    }

    private async Task GroupAsync()
    {
        var items = new List<Item>();

        // One context and connection for the writer's life: building them per group cost more than a small group's work,
        // and an open connection keeps its statements prepared (Sql.KeepPrepared).
        if (_scope is null)
        {
            var scope = _scopes.CreateAsyncScope();
            try
            {
                var context = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                context.Database.AutoSavepointsEnabled = false;
                await context.Database.OpenConnectionAsync();
                Sql.KeepPrepared(context);

                // SQLite's own page cache size (2 MB): a 64 MiB one was measured to cost every commit a scan of its hash
                // table (pcache1TruncateUnsafe, a sixth of a transfer group's commit) and to give ingestion nothing.
            }
            catch
            {
                await scope.DisposeAsync();
                throw;
            }

            _scope = scope;
        }

        var db = _scope.Value.ServiceProvider.GetRequiredService<AppDbContext>();
        var gate = WriteTransaction.GateFor(db.Database);
        await gate.WaitAsync();
        WriteBatch? batch = null;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            batch = new WriteBatch(db, _drafts);
            while (items.Count < MaxGroup && _queue.Reader.TryRead(out var item))
            {
                _queued.AddOrUpdate(item.OrganizationId, 0, (_, n) => n - 1);
                items.Add(item);
                if (item.Cancellation.IsCancellationRequested)
                {
                    item.Error = new OperationCanceledException(item.Cancellation);
                    continue;
                }

                // The savepoint's statements are plain and kept prepared on the writer's connection (EF Core's savepoint
                // calls prepare theirs anew each time).
                await Sql.ExecuteAsync(db, "SAVEPOINT change", CancellationToken.None);
                try
                {
                    await item.RunAsync(batch, _clock.GetUtcNow().UtcDateTime);
                    await Sql.ExecuteAsync(db, "RELEASE change", CancellationToken.None);
                }
                catch (Exception ex)
                {
                    item.Error = ex;
                    await Sql.ExecuteAsync(db, "ROLLBACK TO change", CancellationToken.None);
                    await Sql.ExecuteAsync(db, "RELEASE change", CancellationToken.None);
                }
            }

            await batch.FinishAsync(CancellationToken.None);
            batch.Dispose();
            await tx.CommitAsync();
        }
        catch (Exception ex)
        {
            // The group did not become durable: no change in it took effect, and each is answered so.
            foreach (var item in items.Where(i => i.Error is null))
            {
                item.Error = ex;
            }

            batch?.Dispose();
            batch = null;

            // Whatever state the failure left the context in goes with it.
            await _scope.Value.DisposeAsync();
            _scope = null;
        }
        finally
        {
            gate.Release();
        }

        Interlocked.Increment(ref _metrics.Groups);
        Interlocked.Add(ref _metrics.Changes, items.Count);
        batch?.Signal(_notifier);
        foreach (var item in items)
        {
            item.Answer();
        }
    }

    private sealed class Metrics
    {
        public long Groups;
        public long Changes;
    }

    private abstract class Item(int organizationId, CancellationToken cancellation)
    {
        public int OrganizationId { get; } = organizationId;

        public CancellationToken Cancellation { get; } = cancellation;

        public Exception? Error { get; set; }

        public abstract Task RunAsync(WriteBatch batch, DateTime now);

        public abstract void Answer();
    }

    private sealed class Item<T>(int organizationId, Func<OrganizationChange, Task<T>> work, CancellationToken cancellation) : Item(organizationId, cancellation)
    {
        // Answered off the writer's loop: callers' continuations must not run inside the next group.
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _answer.Task;

        public override async Task RunAsync(WriteBatch batch, DateTime now) => _result = await batch.RunAsync(OrganizationId, now, work, Cancellation);

        public override void Answer()
        {
            if (Error is null)
            {
                _answer.SetResult(_result!);
            }
            else
            {
                _answer.SetException(Error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A group of writes failed outside its changes")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex);
}
