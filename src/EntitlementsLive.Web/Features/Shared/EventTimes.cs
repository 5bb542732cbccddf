using System.Globalization;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// An event's dates where the event takes place: its IANA time zone (UTC when the platform did not say), written with
/// the zone's offset on that date, so an administrator in Paris reads a Singapore event's hours as Singapore reads them.
/// </summary>
public static class EventTimes
{
    public const int MaxLength = EntitlementsLive.Domain.Event.TimeZoneMaxLength;

    /// <summary>The zone of an IANA name (Windows names and unknown zones are refused), or null.</summary>
    public static TimeZoneInfo? Find(string? ianaName) =>
        ianaName is { Length: > 0 and <= MaxLength } && !ianaName.Any(char.IsControl)
            && TimeZoneInfo.TryFindSystemTimeZoneById(ianaName, out var zone) && zone.HasIanaId
            && string.Equals(zone.Id, ianaName, StringComparison.Ordinal)
            ? zone : null;

    /// <summary>The instant in the event's zone (UTC for an unknown name).</summary>
    public static DateTimeOffset Local(DateTime utc, string? timeZone)
    {
        var zone = Find(timeZone) ?? TimeZoneInfo.Utc;
        var at = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeFromUtc(at, zone), zone.GetUtcOffset(at));
    }

    /// <summary>ISO 8601 in the event's zone, with its offset: what the exports write for event dates.</summary>
    public static string Iso(DateTime utc, string? timeZone)
    {
        var local = Local(utc, timeZone);
        return local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>"UTC+08:00"-style label of the zone's offset at that instant.</summary>
    public static string Offset(DateTime utc, string? timeZone)
    {
        var offset = Local(utc, timeZone).Offset;
        return offset == TimeSpan.Zero ? "UTC" : "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
