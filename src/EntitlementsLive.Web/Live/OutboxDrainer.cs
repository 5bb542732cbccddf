using System.Collections.Concurrent;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Drains committed outbox rows to the screens, right after each commit and at start-up, in sequence order,
/// coalescing state messages per key (<see cref="OutboxDispatch.Coalesce"/>). Nothing uncommitted is ever read: the
/// rows are read after the commit that signalled them. It runs on the one node that leads (<see cref="OutboxNotifier"/>).
/// </summary>
public sealed partial class OutboxDrainer(
    IServiceScopeFactory scopes,
    OutboxCursors cursors,
    OutboxFanOut fanOut,
    LiveHeartbeat heartbeat,
    IOptions<LiveOptions> options,
    TimeProvider clock,
    [FromKeyedServices(LiveTiming.Clock)] TimeProvider timing,
    ILogger<OutboxDrainer> log)
{
    private const int DrainBatch = 5_000;

    private readonly ConcurrentDictionary<int, byte> _pending = new();
    private readonly DrainSchedule _schedule = new(
        timing, TimeSpan.FromMilliseconds(options.Value.CoalesceWindowMs), TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs), heartbeat.RoundInterval);

    /// <summary>How far each organization's outbox was pushed.</summary>
    public IReadOnlyDictionary<int, long> Pushed => cursors.Pushed;

    /// <summary>These organizations committed: they are drained at the next pass.</summary>
    public void Pending(IEnumerable<int> organizationIds)
    {
        foreach (var organizationId in organizationIds)
        {
            _pending[organizationId] = 0;
        }

        _schedule.Signal();
    }

    /// <summary>Drains until <paramref name="ct"/> ends (the app stops, or the lease is lost).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await cursors.LoadAsync(ct);
        // What was committed before this start and not yet pushed goes out now, not at the first sweep.
        Pending(await cursors.BehindAsync(ct));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await _schedule.NextAsync(ct))
                {
                    Pending(await cursors.BehindAsync(ct));
                }

                foreach (var organizationId in _pending.Keys)
                {
                    _pending.TryRemove(organizationId, out _);
                    try
                    {
                        await DrainAsync(organizationId, ct);
                    }
                    catch
                    {
                        // Not pushed: it stays pending for the next pass.
                        _pending[organizationId] = 0;
                        throw;
                    }
                }

                await cursors.SaveIfDueAsync(ct);
                await heartbeat.BeatAsync(cursors.Pushed, fanOut.TeamPushed, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogDrainFailed(log, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500), timing, ct);
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
            var after = cursors.PushedOf(organizationId);
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

            await fanOut.SendAsync(organizationId, audience, OutboxDispatch.Coalesce(rows), after, ct);
            foreach (var observer in scope.ServiceProvider.GetServices<IOutboxObserver>())
            {
                await observer.ObserveAsync(organizationId, rows, ct);
            }

            cursors.Advance(organizationId, rows[^1].Sequence);
            if (rows.Count < DrainBatch)
            {
                return;
            }
        }
    }

    /// <summary>Saves the positions on a graceful stop (bounded), so the next drainer starts there.</summary>
    public async Task SaveOnStopAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await cursors.SaveAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            // Not saved: the next drainer pushes again from the last saved positions (screens drop repeats).
            LogDrainFailed(log, ex);
        }
    }

    /// <summary>The lead ended: what was pushed from here says nothing of what the next holder pushes.</summary>
    public void Forget()
    {
        cursors.Forget();
        fanOut.Forget();
        heartbeat.Forget();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the outbox failed; retrying")]
    private static partial void LogDrainFailed(ILogger logger, Exception ex);
}
