using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Threading.Channels;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Data.PostgreSql;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Live;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>
    /// Drains are at least this far apart: a lone change is pushed at once, while a burst of changes to one
    /// event or pool within the window becomes one push of the newest figures.
    /// </summary>
    [Range(0, 5_000)]
    public int CoalesceWindowMs { get; set; } = 20;

    /// <summary>How often the pushed position is saved (a restart re-pushes at most this much; screens ignore repeats).</summary>
    [Range(100, 60_000)]
    public int CursorSaveIntervalMs { get; set; } = 1_000;

    /// <summary>A safety net: drain every organization this often even without a signal.</summary>
    [Range(100, 600_000)]
    public int SweepIntervalMs { get; set; } = 5_000;

    /// <summary>
    /// A screen that nothing was sent to for this long gets a Heartbeat with the latest sequence of what it follows,
    /// so a message lost just before a quiet is found and resumed within about this time (API.md).
    /// </summary>
    [Range(1, 3_600)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// Browser origins, besides the app's own, that may open the hub (WebSockets are not covered by CORS,
    /// so the hub checks the Origin header itself).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// The one notifier: drains committed outbox rows to the hub groups, right after each commit and at
/// start-up, in sequence order, coalescing state messages per key. Nothing uncommitted is ever read,
/// and the pushed position is saved so a restart pushes what was left.
/// On PostgreSQL, exactly one node drains at a time: the one holding the outbox lease (a session advisory lock, freed
/// by PostgreSQL the moment its holder's connection dies; the others try again every second). Commits on the other
/// nodes wake it with NOTIFY; it publishes through the hub, which the Redis backplane fans out to every node.
/// </summary>
public sealed partial class OutboxNotifier(
    IServiceScopeFactory scopes,
    IHubContext<EntitlementsHub, IEntitlementsClient> hub,
    IOptions<LiveOptions> options,
    TimeProvider clock,
    LiveHeartbeat heartbeat,
    ILogger<OutboxNotifier> log,
    PostgreSqlDatabase? postgres = null) : BackgroundService, IChangeNotifier
{
    private const int DrainBatch = 5_000;

    /// <summary>How often a node without the lease tries to take it (the takeover time after its holder dies).</summary>
    public static readonly TimeSpan LeaseRetry = TimeSpan.FromSeconds(1);

    /// <summary>How often the holder checks its lease's connection when no notification comes.</summary>
    public static readonly TimeSpan LeaseCheck = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<int, byte> _announce = new();
    private readonly Channel<bool> _announceSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile bool _leading;
    private readonly ConcurrentDictionary<int, byte> _pending = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<int, long> _pushed = new();
    private readonly ConcurrentDictionary<int, long> _saved = new();

    // The last team message pushed to each event-team member's group, per organization (sequences are per organization):
    // the chain their screens check (see LiveMessage.Previous), and the position their heartbeat names.
    private readonly ConcurrentDictionary<(string Group, int OrganizationId), long> _teamPushed = new();
    private long _lastSweep;
    private long _lastDrain;
    private long _lastSave;

    /// <summary>How far each organization's outbox was pushed (for the outbox-lag metric).</summary>
    public IReadOnlyDictionary<int, long> Pushed => _pushed;

    /// <summary>Whether this node drains the outbox now (always on SQLite's single node).</summary>
    public bool Leading => _leading;

    public void Committed(int organizationId)
    {
        _pending[organizationId] = 0;
        _signal.Writer.TryWrite(true);
        if (postgres is not null && !_leading)
        {
            // Another node drains: wake it.
            _announce[organizationId] = 0;
            _announceSignal.Writer.TryWrite(true);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (postgres is null)
        {
            _leading = true;
            await DrainLoop(stoppingToken);
            return;
        }

        var announcer = Announce(postgres, stoppingToken);
        // A node without the lease keeps one connection and asks for the lease on it every second; the one that gets
        // it leads on that same connection.
        Npgsql.NpgsqlConnection? candidate = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var leading = false;
                try
                {
                    candidate ??= await postgres.OpenLeaseConnectionAsync(stoppingToken);
                    leading = await PostgreSqlDatabase.TryLockAsync(candidate, PostgreSqlDatabase.OutboxLeaseKey, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogLeaseFailed(log, ex);
                    if (candidate is not null)
                    {
                        await candidate.DisposeAsync();
                        candidate = null;
                    }
                }

                if (!leading)
                {
                    await Task.Delay(LeaseRetry, stoppingToken);
                    continue;
                }

                var lease = candidate!;
                candidate = null;
                try
                {
                    await Lead(lease, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The lead ended on a failure (the database unreachable, say); the lease went with its connection.
                    LogLeaseFailed(log, ex);
                    await Task.Delay(LeaseRetry, stoppingToken);
                }
            }
        }
        finally
        {
            if (candidate is not null)
            {
                await candidate.DisposeAsync();
            }
        }

        await announcer;
    }

    /// <summary>Drains while the lease holds: listens for commits on the lease's own connection, whose loss ends the lead.</summary>
    private async Task Lead(Npgsql.NpgsqlConnection lease, CancellationToken stoppingToken)
    {
        await using var _ = lease;
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lease.Notification += (_, e) =>
        {
            foreach (var id in e.Payload.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var organizationId))
                {
                    _pending[organizationId] = 0;
                }
            }

            _signal.Writer.TryWrite(true);
        };
        Task watch;
        try
        {
            await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {PostgreSqlDatabase.OutboxChannel}", lease))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken);
            }

            watch = Watch(lease, lost);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogLeaseFailed(log, ex);
            return;
        }

        _leading = true;
        Telemetry.LeaseTaken.Add(1, Telemetry.NodeTag);
        LogLeading(log);
        try
        {
            await DrainLoop(lost.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease's connection died: another node may hold the lease now.
        }
        finally
        {
            _leading = false;
            await lost.CancelAsync();
            await watch;
            if (stoppingToken.IsCancellationRequested)
            {
                // A graceful stop: the positions are saved while the lease is still held, so the next holder starts there.
                await SaveCursorsOnStop();
            }

            // Positions held here may be behind the next holder's; the saved ones are read again on the next lead.
            _pushed.Clear();
            _saved.Clear();
            _teamPushed.Clear();
            heartbeat.Forget();
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            LogLeaseLost(log);
        }
    }

    /// <summary>
    /// Waits for notifications on the lease's connection and checks it every few seconds when none come (a connection
    /// dropped without a word, by a firewall say, is found within that time); when the connection fails, the lead ends.
    /// </summary>
    private async Task Watch(Npgsql.NpgsqlConnection lease, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                if (!await lease.WaitAsync(LeaseCheck, lost.Token))
                {
                    await using var ping = new Npgsql.NpgsqlCommand("SELECT 1", lease) { CommandTimeout = (int)LeaseCheck.TotalSeconds };
                    await ping.ExecuteScalarAsync(lost.Token);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeaseFailed(log, ex);
            await lost.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // The lead ended here or the app stops.
        }
    }

    /// <summary>Sends the commits of this node to the lease holder, many organizations per NOTIFY.</summary>
    private async Task Announce(PostgreSqlDatabase database, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _announceSignal.Reader.ReadAsync(stoppingToken);
                var ids = _announce.Keys.ToList();
                foreach (var id in ids)
                {
                    _announce.TryRemove(id, out _);
                }

                // NOTIFY payloads stay under 8000 bytes: 500 ids of up to 11 characters each.
                foreach (var chunk in ids.Chunk(500))
                {
                    await database.NotifyAsync(chunk, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The holder still finds these at its next sweep.
                LogLeaseFailed(log, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
        }
    }

    private async Task DrainLoop(CancellationToken stoppingToken)
    {
        await LoadCursors(stoppingToken);

        // What was committed before this start and not yet pushed goes out now, not at the first sweep.
        _signal.Writer.TryWrite(true);
        var window = TimeSpan.FromMilliseconds(options.Value.CoalesceWindowMs);
        var sweep = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        // Woken by a commit, or at the next sweep or heartbeat round, whichever comes first.
        var wait = sweep < heartbeat.RoundInterval ? sweep : heartbeat.RoundInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    await _signal.Reader.ReadAsync(timeout.Token);
                    var since = Stopwatch.GetElapsedTime(_lastDrain);
                    if (since < window)
                    {
                        await Task.Delay(window - since, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // No signal for a whole sweep interval: the sweep below runs now (a heartbeat round's shorter wait
                    // leaves the sweep to its own clock).
                    if (wait == sweep)
                    {
                        _lastSweep = 0;
                    }
                }

                // The sweep runs on its own clock, so steady traffic of some organizations never delays another's.
                if (Stopwatch.GetElapsedTime(_lastSweep) >= sweep)
                {
                    _lastSweep = Stopwatch.GetTimestamp();
                    await MarkAllPending(stoppingToken);
                }

                _lastDrain = Stopwatch.GetTimestamp();
                foreach (var organizationId in _pending.Keys)
                {
                    _pending.TryRemove(organizationId, out _);
                    try
                    {
                        await DrainAsync(organizationId, stoppingToken);
                    }
                    catch
                    {
                        // Not pushed: it stays pending for the next pass.
                        _pending[organizationId] = 0;
                        throw;
                    }
                }

                if (Stopwatch.GetElapsedTime(_lastSave) >= TimeSpan.FromMilliseconds(options.Value.CursorSaveIntervalMs))
                {
                    await SaveCursors(stoppingToken);
                }

                await heartbeat.BeatAsync(_pushed, _teamPushed, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDrainFailed(log, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
        }
    }

    /// <summary>Pushes one organization's committed rows after the last pushed position, oldest first.</summary>
    private async Task DrainAsync(int organizationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        while (true)
        {
            var after = _pushed.GetValueOrDefault(organizationId);
            var rows = await db.Outbox.AsNoTracking()
                .Where(m => m.OrganizationId == organizationId && m.Sequence > after)
                .OrderBy(m => m.Sequence).Take(DrainBatch).ToListAsync(ct);
            if (rows.Count == 0)
            {
                return;
            }

            // Decided per drain from the memberships of now, so a removed membership stops pushes at once.
            var audience = await LiveAudience.LoadAsync(db, organizationId, ct);
            var sentAt = clock.GetUtcNow().UtcDateTime;
            foreach (var row in rows)
            {
                Telemetry.CommitToPush.Record((sentAt - row.CreatedAt).TotalMilliseconds, Telemetry.NodeTag);
            }

            // Managers get every (coalesced) row, so their chain is the organization's pushed position; a new drainer
            // starts it from the saved position, at or below what screens hold, so a re-push never looks like a gap.
            long? previous = after;
            foreach (var row in OutboxDispatch.Coalesce(rows))
            {
                // A lost lease stops the pushes at once: the next holder pushes from the saved position.
                ct.ThrowIfCancellationRequested();
                if (audience.Managers.Count > 0)
                {
                    await OutboxDispatch.SendAsync(hub.Clients.Groups(audience.Managers), row, previous);
                }

                previous = row.Sequence;
                // A team member's chain is their own (they may be on the teams of several events).
                foreach (var member in audience.TeamOf(row))
                {
                    await OutboxDispatch.SendAsync(hub.Clients.Group(member), row, _teamPushed.TryGetValue((member, organizationId), out var last) ? last : null);
                    _teamPushed[(member, organizationId)] = row.Sequence;
                    heartbeat.Sent(member);
                }
            }

            // Once per batch: the managers heard from this organization now, so no heartbeat is owed to them for a while.
            heartbeat.Sent(audience.Managers);
            foreach (var observer in scope.ServiceProvider.GetServices<IOutboxObserver>())
            {
                await observer.ObserveAsync(organizationId, rows, ct);
            }

            _pushed[organizationId] = rows[^1].Sequence;
            if (rows.Count < DrainBatch)
            {
                return;
            }
        }
    }

    private async Task LoadCursors(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var cursor in await db.OutboxCursors.AsNoTracking().ToListAsync(ct))
        {
            _pushed[cursor.OrganizationId] = cursor.Sequence;
            _saved[cursor.OrganizationId] = cursor.Sequence;
        }

        await MarkAllPending(ct);
    }

    private async Task MarkAllPending(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var latest = await db.Organizations.AsNoTracking().Select(o => new { o.Id, o.LastSequence }).ToListAsync(ct);
        foreach (var org in latest.Where(o => o.LastSequence > _pushed.GetValueOrDefault(o.Id)))
        {
            _pending[org.Id] = 0;
        }
    }

    /// <summary>Saves the positions that moved since the last save, in one short transaction.</summary>
    private async Task SaveCursors(CancellationToken ct)
    {
        _lastSave = Stopwatch.GetTimestamp();
        var moved = _pushed.Where(p => _saved.GetValueOrDefault(p.Key) != p.Value).ToList();
        if (moved.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var tx = await db.Database.BeginWriteAsync(ct);
        foreach (var (organizationId, sequence) in moved)
        {
            var updated = await db.OutboxCursors.Where(c => c.OrganizationId == organizationId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Sequence, sequence), ct);
            if (updated == 0)
            {
                db.OutboxCursors.Add(new OutboxCursor { OrganizationId = organizationId, Sequence = sequence });
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var (organizationId, sequence) in moved)
        {
            _saved[organizationId] = sequence;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (postgres is null)
        {
            await SaveCursorsOnStop();
        }
    }

    private async Task SaveCursorsOnStop()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SaveCursors(timeout.Token);
        }
        catch (Exception ex)
        {
            // Not saved: the next drainer pushes again from the last saved positions (screens drop repeats).
            LogDrainFailed(log, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This node holds the outbox lease: it pushes every commit")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node lost the outbox lease; it tries to take it again")]
    private static partial void LogLeaseLost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox lease or its notifications failed; retrying")]
    private static partial void LogLeaseFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the outbox failed; retrying")]
    private static partial void LogDrainFailed(ILogger logger, Exception ex);
}
