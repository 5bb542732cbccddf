namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The app's clock, in the precision every database here stores: microseconds (PostgreSQL's timestamp). A transaction's
/// time in the answer that recorded it is then the time every later read returns, on SQLite and PostgreSQL alike.
/// </summary>
public sealed class StoredClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
