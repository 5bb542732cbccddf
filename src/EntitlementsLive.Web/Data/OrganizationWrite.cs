using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// The one unit of work of every change of one organization (a transfer, a purchase, an adjustment, a participant chunk,
/// an alert sweep, an event's sync or its move to Past). It opens the transaction and takes the organization's lock, lets
/// the handler's domain aggregates do the change, then numbers the domain events they raised into outbox rows (gap-free
/// per organization), inserts the ledger rows they recorded, commits and tells the notifier — in this one place.
/// On SQLite the change queues for the single writer, which commits concurrent changes in groups (one fsync, a savepoint
/// each, see <see cref="SqliteGroupCommit"/>); on PostgreSQL it is a transaction of its own, ordered by the organization's row lock.
/// </summary>
public sealed class OrganizationWrite(AppDbContext db, TimeProvider clock, IChangeNotifier notifier, IOutboxDrafts drafts, SqliteGroupCommit? group = null)
{
    /// <summary>
    /// Runs <paramref name="work"/> as one change of the organization and answers once it is durable. Inside it, use
    /// <see cref="OrganizationChange.Db"/> (on SQLite it is the writer's context, not the caller's).
    /// </summary>
    public async Task<T> RunAsync<T>(int organizationId, Func<OrganizationChange, Task<T>> work, CancellationToken ct)
    {
        if (group is not null)
        {
            return await group.RunAsync(organizationId, work, ct);
        }

        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        using var batch = new WriteBatch(db, drafts);
        await batch.LockAsync(organizationId, ct);
        var result = await batch.RunAsync(organizationId, clock.GetUtcNow().UtcDateTime, work, ct);
        await batch.FinishAsync(ct);
        await tx.CommitAsync(ct);
        batch.Signal(notifier);
        return result;
    }
}

/// <summary>One change of one organization in progress: the context to change it through, its instant, and what the domain reported.</summary>
public sealed class OrganizationChange
{
    private readonly List<IDomainEvent> _events = [];

    internal OrganizationChange(AppDbContext db, int organizationId, DateTime now)
    {
        Db = db;
        OrganizationId = organizationId;
        Now = now;
    }

    /// <summary>The context inside the change's transaction (the caller's own on PostgreSQL, the writer's on SQLite).</summary>
    public AppDbContext Db { get; }

    public int OrganizationId { get; }

    /// <summary>When the change happens: stamped inside its transaction, for every row and message it writes.</summary>
    public DateTime Now { get; }

    /// <summary>What the domain's aggregates reported, in the order they reported it.</summary>
    public IReadOnlyList<IDomainEvent> Events => _events;

    public void Raise(IDomainEvent change) => _events.Add(change);

    public void Raise(IEnumerable<IDomainEvent> changes) => _events.AddRange(changes);
}

/// <summary>One outbox row to be: its payload is written once its sequence and the ids of the rows it names are known.</summary>
public sealed record OutboxDraft(string Type, string Key, int? EventId, Func<long, CancellationToken, Task<string>> Payload, LedgerEntry? Entry = null);

/// <summary>How the domain's events become the hub's messages (Features/Shared/OutboxDrafts): the unit of work numbers them.</summary>
public interface IOutboxDrafts
{
    IReadOnlyList<OutboxDraft> Draft(OrganizationChange change);
}

/// <summary>
/// The changes of one database transaction: a single change on PostgreSQL, a group on SQLite. It keeps each touched
/// organization's last sequence in memory (read once, under the lock), so a group numbers its changes without a
/// statement each, and it writes the outbox rows and the sequences once, before the commit. On SQLite its ledger and
/// outbox rows go through one statement each, prepared once for the batch and stepped per row
/// (<see cref="SqliteRowStatement"/>): binding a dozen named parameters per row was the writer's largest statement cost.
/// </summary>
internal sealed class WriteBatch(AppDbContext db, IOutboxDrafts drafts) : IDisposable
{
    private const int RowsPerInsert = 500;

    // Each insert once, its values named (PostgreSQL) or by position (SQLite's row statements).
    private const string LedgerInsert = """
        INSERT INTO "LedgerEntries" ("OrganizationId", "Sequence", "Kind", "ProductCode", "Quantity", "EventId", "Actor", "CreatedAt", "Reference", "Reason", "BalanceAfter", "IdempotencyKey", "RequestFingerprint")
        """;

    private const string OutboxInsert = """INSERT INTO "Outbox" ("OrganizationId", "Sequence", "Type", "Key", "EventId", "Payload", "CreatedAt") VALUES """;

    private readonly Dictionary<int, long> _last = [];
    private readonly HashSet<int> _moved = [];
    private readonly List<OutboxMessage> _rows = [];
    private readonly bool _sqlite = db.Database.IsSqlite();
    private SqliteRowStatement? _ledger;
    private SqliteRowStatement? _outbox;

    /// <summary>On PostgreSQL, the organization's row locked first (every writer of one organization takes its rows in one order, never deadlocking), with its sequence.</summary>
    public async Task LockAsync(int organizationId, CancellationToken ct) => _last[organizationId] = await Sql.LockOrganizationAsync(db, organizationId, ct);

    /// <summary>Runs one change; when it fails, nothing of it stays in the batch (the caller rolls back its statements).</summary>
    public async Task<T> RunAsync<T>(int organizationId, DateTime now, Func<OrganizationChange, Task<T>> work, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var rowsBefore = _rows.Count;
        var known = _last.TryGetValue(organizationId, out var lastBefore);
        try
        {
            var change = new OrganizationChange(db, organizationId, now);
            var result = await work(change);
            await FlushAsync(change, ct);
            return result;
        }
        catch
        {
            _rows.RemoveRange(rowsBefore, _rows.Count - rowsBefore);
            if (known)
            {
                _last[organizationId] = lastBefore;
            }
            else
            {
                _last.Remove(organizationId);
            }

            throw;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task FlushAsync(OrganizationChange change, CancellationToken ct)
    {
        var drafted = drafts.Draft(change);
        var first = 0L;
        if (drafted.Count > 0)
        {
            if (!_last.ContainsKey(change.OrganizationId))
            {
                await LockAsync(change.OrganizationId, ct);
            }

            first = _last[change.OrganizationId] + 1;
            _last[change.OrganizationId] += drafted.Count;
            _moved.Add(change.OrganizationId);
        }

        // Aggregates the handler tracked (alerts, new rows); most transfers track nothing.
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(ct);
        }

        for (var i = 0; i < drafted.Count; i++)
        {
            if (drafted[i].Entry is { } entry)
            {
                // Rule 5: the only place a ledger row is written, numbered with its message.
                entry.Number(first + i);
                await InsertAsync(entry, ct);
            }
        }

        for (var i = 0; i < drafted.Count; i++)
        {
            var d = drafted[i];
            _rows.Add(new OutboxMessage(change.OrganizationId, first + i, d.Type, d.Key, d.EventId, await d.Payload(first + i, ct), change.Now));
        }
    }

    /// <summary>The sequences moved and the outbox rows, written once for the whole batch.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        foreach (var organizationId in _moved)
        {
            await Sql.ExecuteAsync(db, """UPDATE "Organizations" SET "LastSequence" = @last WHERE "Id" = @org""", ct,
                ("@last", _last[organizationId]), ("@org", organizationId));
        }

        if (_sqlite)
        {
            InsertRows();
            return;
        }

        for (var start = 0; start < _rows.Count; start += RowsPerInsert)
        {
            await InsertAsync(_rows.GetRange(start, Math.Min(RowsPerInsert, _rows.Count - start)), ct);
        }
    }

    /// <summary>The batch's statements are finalized (the connection outlives the batch).</summary>
    public void Dispose()
    {
        _ledger?.Dispose();
        _outbox?.Dispose();
    }

    /// <summary>After the commit: the notifier hears of every organization this batch wrote messages for, once.</summary>
    public void Signal(IChangeNotifier notifier)
    {
        foreach (var organizationId in _rows.Select(r => r.OrganizationId).Distinct())
        {
            notifier.Committed(organizationId);
        }
    }

    private async Task InsertAsync(LedgerEntry l, CancellationToken ct)
    {
        if (_sqlite)
        {
            // The same row by position, its id from SQLite's last insert.
            _ledger ??= new SqliteRowStatement(db, LedgerInsert + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
            _ledger.Bind(1, l.OrganizationId).Bind(2, l.Sequence).Bind(3, (long)l.Kind).Bind(4, l.ProductCode).Bind(5, l.Quantity).Bind(7, l.Actor)
                .Bind(8, l.CreatedAt).Bind(9, l.Reference).Bind(10, l.Reason).Bind(11, l.BalanceAfter).Bind(12, l.IdempotencyKey).Bind(13, l.RequestFingerprint);
            if (l.EventId is { } eventId)
            {
                _ledger.Bind(6, eventId);
            }

            l.Recorded(_ledger.Insert());
            return;
        }

        l.Recorded((await Sql.ReturningAsync(db, LedgerInsert + """ VALUES (@org, @sequence, @kind, @product, @quantity, @event, @actor, @at, @reference, @reason, @balance, @key, @fingerprint) RETURNING "Id" """,
            r => new[] { r.GetInt64(0) }, ct,
        ("@org", l.OrganizationId), ("@sequence", l.Sequence), ("@kind", (int)l.Kind), ("@product", l.ProductCode), ("@quantity", l.Quantity),
        ("@event", (object?)l.EventId ?? DBNull.Value), ("@actor", l.Actor), ("@at", l.CreatedAt), ("@reference", (object?)l.Reference ?? DBNull.Value),
        ("@reason", (object?)l.Reason ?? DBNull.Value), ("@balance", l.BalanceAfter), ("@key", l.IdempotencyKey), ("@fingerprint", l.RequestFingerprint)))![0]);
    }

    private void InsertRows()
    {
        if (_rows.Count == 0)
        {
            return;
        }

        _outbox ??= new SqliteRowStatement(db, OutboxInsert + "(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        foreach (var r in _rows)
        {
            _outbox.Bind(1, r.OrganizationId).Bind(2, r.Sequence).Bind(3, r.Type).Bind(4, r.Key).Bind(6, r.Payload).Bind(7, r.CreatedAt);
            if (r.EventId is { } eventId)
            {
                _outbox.Bind(5, eventId);
            }

            _outbox.Run();
        }
    }

    private async Task InsertAsync(List<OutboxMessage> rows, CancellationToken ct)
    {
        var sql = new System.Text.StringBuilder(OutboxInsert);
        var parameters = new List<(string, object)>(rows.Count * 7);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            sql.Append(i == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@o{i}, @s{i}, @t{i}, @k{i}, @e{i}, @p{i}, @c{i})");
            parameters.Add(($"@o{i}", r.OrganizationId));
            parameters.Add(($"@s{i}", r.Sequence));
            parameters.Add(($"@t{i}", r.Type));
            parameters.Add(($"@k{i}", r.Key));
            parameters.Add(($"@e{i}", (object?)r.EventId ?? DBNull.Value));
            parameters.Add(($"@p{i}", r.Payload));
            parameters.Add(($"@c{i}", r.CreatedAt));
        }

        await Sql.ExecuteAsync(db, sql.ToString(), ct, [.. parameters]);
    }
}
