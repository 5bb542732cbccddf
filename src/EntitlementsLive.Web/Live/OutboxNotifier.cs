using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Threading.Channels;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
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
    /// Browser origins, besides the app's own, that may open the hub (WebSockets are not covered by CORS,
    /// so the hub checks the Origin header itself).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// The one notifier: drains committed outbox rows to the hub groups, right after each commit and at
/// start-up, in sequence order, coalescing state messages per key. Nothing uncommitted is ever read,
/// and the pushed position is saved so a restart pushes what was left.
/// </summary>
public sealed partial class OutboxNotifier(
    IServiceScopeFactory scopes,
    IHubContext<EntitlementsHub, IEntitlementsClient> hub,
    IOptions<LiveOptions> options,
    TimeProvider clock,
    ILogger<OutboxNotifier> log) : BackgroundService, IChangeNotifier
{
    private const int DrainBatch = 5_000;
    private readonly ConcurrentDictionary<int, byte> _pending = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<int, long> _pushed = new();
    private readonly ConcurrentDictionary<int, long> _saved = new();
    private long _lastSweep;
    private long _lastDrain;
    private long _lastSave;

    /// <summary>How far each organization's outbox was pushed (for the outbox-lag metric).</summary>
    public IReadOnlyDictionary<int, long> Pushed => _pushed;

    public void Committed(int organizationId)
    {
        _pending[organizationId] = 0;
        _signal.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await LoadCursors(stoppingToken);

        // What was committed before this start and not yet pushed goes out now, not at the first sweep.
        _signal.Writer.TryWrite(true);
        var window = TimeSpan.FromMilliseconds(options.Value.CoalesceWindowMs);
        var sweep = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(sweep);
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
                    // No signal for a whole sweep interval: the sweep below runs now.
                    _lastSweep = 0;
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

            foreach (var row in OutboxDispatch.Coalesce(rows))
            {
                if (audience.Managers.Count > 0)
                {
                    await OutboxDispatch.SendAsync(hub.Clients.Groups(audience.Managers), row);
                }

                if (row.Type == MessageTypes.EventCoverageChanged && row.EventId is { } eventId && audience.Teams.TryGetValue(eventId, out var team))
                {
                    await OutboxDispatch.SendAsync(hub.Clients.Groups(team), row);
                }
            }

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
        try
        {
            await SaveCursors(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDrainFailed(log, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the outbox failed; retrying")]
    private static partial void LogDrainFailed(ILogger logger, Exception ex);
}
