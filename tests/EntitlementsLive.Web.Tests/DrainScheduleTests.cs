using EntitlementsLive.Web.Live;
using Microsoft.Extensions.Time.Testing;

namespace EntitlementsLive.Web.Tests;

/// <summary>The drain's timing on a fake clock: a lone change goes out at once, a burst within the window is one pass after it, a quiet sweeps.</summary>
public sealed class DrainScheduleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task ALoneChange_GoesOutAtOnce_WithoutWaitingForTheWindow()
    {
        var schedule = new DrainSchedule(_clock, Window, Sweep, Round);
        schedule.Signal();
        Assert.True(await Completed(schedule.NextAsync(CancellationToken.None)), "the first pass also sweeps");

        _clock.Advance(TimeSpan.FromSeconds(1));
        schedule.Signal();
        var next = schedule.NextAsync(CancellationToken.None);
        Assert.True(next.IsCompleted, "the last drain was longer ago than the window: no waiting");
        Assert.False(await next);
    }

    [Fact]
    public async Task ABurstWithinTheWindow_IsOnePass_WhenTheWindowHasPassed()
    {
        var schedule = new DrainSchedule(_clock, Window, Sweep, Round);
        schedule.Signal();
        await Completed(schedule.NextAsync(CancellationToken.None));

        // Three commits right after a drain.
        schedule.Signal();
        schedule.Signal();
        schedule.Signal();
        var pass = schedule.NextAsync(CancellationToken.None);
        _clock.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(await Settles(pass), "held back until the window since the last drain has passed");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await Completed(pass), "a commit's pass, no sweep yet");

        // The three were one: the next pass waits for a new signal (or the heartbeat round).
        var after = schedule.NextAsync(CancellationToken.None);
        Assert.False(await Settles(after));
        schedule.Signal();
        _clock.Advance(Window);
        Assert.False(await Completed(after));
    }

    [Fact]
    public async Task AQuiet_WakesForEachHeartbeatRound_AndSweepsOnTheSweepsOwnClock()
    {
        var schedule = new DrainSchedule(_clock, Window, Sweep, Round);
        schedule.Signal();
        await Completed(schedule.NextAsync(CancellationToken.None));

        var first = schedule.NextAsync(CancellationToken.None);
        _clock.Advance(Round);
        Assert.False(await Completed(first), "a round at 2 s: the heartbeat may beat, no sweep");
        var second = schedule.NextAsync(CancellationToken.None);
        _clock.Advance(Round);
        Assert.False(await Completed(second), "4 s since the sweep");
        var third = schedule.NextAsync(CancellationToken.None);
        _clock.Advance(Round);
        Assert.True(await Completed(third), "6 s since the sweep: it is due");
    }

    [Fact]
    public async Task WithoutHeartbeatRoundsShorterThanIt_AWholeSweepIntervalOfQuiet_Sweeps()
    {
        var schedule = new DrainSchedule(_clock, Window, Sweep, round: TimeSpan.FromMinutes(1));
        schedule.Signal();
        await Completed(schedule.NextAsync(CancellationToken.None));

        var quiet = schedule.NextAsync(CancellationToken.None);
        _clock.Advance(Sweep - TimeSpan.FromMilliseconds(1));
        Assert.False(await Settles(quiet));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await Completed(quiet));
    }

    [Fact]
    public async Task Stopping_EndsTheWait()
    {
        var schedule = new DrainSchedule(_clock, Window, Sweep, Round);
        using var stop = new CancellationTokenSource();
        var wait = schedule.NextAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>The pass's answer (whether it sweeps), once the fake clock let it complete (continuations may run on the pool).</summary>
    private static Task<bool> Completed(Task<bool> pass) => pass.WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Whether the pass completes on its own, without the clock moving (given a moment of real time for continuations).</summary>
    private static async Task<bool> Settles(Task<bool> pass) => await Task.WhenAny(pass, Task.Delay(150)) == pass;
}
