using System.Threading.Channels;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// When the drain runs next: at a commit's signal, held back until <paramref name="window"/> has passed since the
/// last drain (so a burst becomes one push of the newest figures, while a lone change goes out at once), or when
/// nothing came for the shorter of the sweep and the heartbeat round. The sweep itself keeps its own clock, so steady
/// traffic never delays it. All of it on <paramref name="clock"/>.
/// </summary>
public sealed class DrainSchedule(TimeProvider clock, TimeSpan window, TimeSpan sweep, TimeSpan round)
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long? _lastDrain;
    private long? _lastSweep;

    /// <summary>Something was committed: the next pass runs as soon as the window allows. Signals before it are one.</summary>
    public void Signal() => _signal.Writer.TryWrite(true);

    /// <summary>Waits for the next pass and answers whether the sweep (every organization, signalled or not) is due in it.</summary>
    public async Task<bool> NextAsync(CancellationToken ct)
    {
        var wait = sweep < round ? sweep : round;
        var sweepNow = false;
        using (var timeout = new CancellationTokenSource(wait, clock))
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
        {
            try
            {
                await _signal.Reader.ReadAsync(either.Token);
                if (_lastDrain is { } last && clock.GetElapsedTime(last) is var since && since < window)
                {
                    await Task.Delay(window - since, clock, ct);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // No signal for a whole sweep interval: the sweep runs now (a heartbeat round's shorter wait leaves the
                // sweep to its own clock).
                sweepNow = wait == sweep;
            }
        }

        if (sweepNow || _lastSweep is not { } swept || clock.GetElapsedTime(swept) >= sweep)
        {
            _lastSweep = clock.GetTimestamp();
            sweepNow = true;
        }

        _lastDrain = clock.GetTimestamp();
        return sweepNow;
    }
}
