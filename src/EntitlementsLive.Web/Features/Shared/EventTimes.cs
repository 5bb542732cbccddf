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

    /// <summary>The event's zone: UTC when the name is unknown (or the machine lacks the time zone database).</summary>
    public static TimeZoneInfo Zone(string? ianaName) => Find(ianaName) ?? TimeZoneInfo.Utc;

    /// <summary>The instant in the event's zone.</summary>
    public static DateTimeOffset Local(DateTime utc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var at = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeFromUtc(at, zone), zone.GetUtcOffset(at));
    }

    /// <summary>ISO 8601 in the event's zone, with its offset: what the exports write for event dates.</summary>
    public static string Iso(DateTime utc, TimeZoneInfo zone)
    {
        var local = Local(utc, zone);
        return local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>"UTC+08:00"-style label of the zone's offset at that instant.</summary>
    public static string Offset(DateTime utc, TimeZoneInfo zone)
    {
        var offset = Local(utc, zone).Offset;
        return offset == TimeSpan.Zero ? "UTC" : "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
