using System.Globalization;
using Microsoft.AspNetCore.Html;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Activity times (when something was recorded) in the viewer's own time zone: the server writes the instant in
/// UTC, labelled as such, and site.js shows it in the browser's zone with the UTC time on hover. An event's dates
/// are in the event's own zone instead (where its participants are), with the zone named and UTC on hover.
/// </summary>
public static class Times
{
    /// <summary>The one way a date is written on every page (site.js, live.js and forecast.js write the same).</summary>
    public const string DateFormat = "d MMM yyyy";

    /// <summary>A day, as every page writes it: "2 Dec 2026".</summary>
    public static string Day(DateTime? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture) ?? "";

    /// <summary>An instant in UTC, as every page writes it where it cannot be shown in the reader's zone: "2 Dec 2026, 14:23 UTC".</summary>
    public static string UtcTime(DateTime? utc) => utc?.ToString(DateFormat + ", HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>An event's start and end in its zone: long on the event's own page, dates only in lists.</summary>
    public static IHtmlContent EventDates(this IHtmlHelper html, DateTime startsUtc, DateTime endsUtc, string? timeZone, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(html);
        // The zone is resolved once per call: lists render this for every row.
        var info = EventTimes.Zone(timeZone);
        var (start, end) = (EventTimes.Local(startsUtc, info), EventTimes.Local(endsUtc, info));
        var zone = info == TimeZoneInfo.Utc ? "UTC" : info.Id;
        var utc = $"{TableExport.Instant(startsUtc)} – {TableExport.Instant(endsUtc)} in UTC";
        string text;
        if (full)
        {
            var offset = EventTimes.Offset(startsUtc, info);
            var label = zone == "UTC" ? "UTC" : offset == "UTC" ? zone + " (UTC)" : $"{zone} ({offset})";
            text = start.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " – "
                + end.ToString(start.Date == end.Date ? "HH:mm" : "d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + label;
        }
        else
        {
            text = DateRange(start.DateTime, end.DateTime);
        }

        var title = Escape(zone == "UTC" ? utc : $"{zone} time; {utc}");
        return new HtmlString($"<time datetime=\"{EventTimes.Iso(startsUtc, info)}\" title=\"{title}\" data-event-zone=\"{Escape(zone)}\">{Escape(text)}</time>");
    }

    /// <summary>
    /// The days an event covers, said once: "27 Dec 2026" for one day, "12–15 Dec 2026", "28 Nov – 2 Dec 2026",
    /// "30 Dec 2026 – 2 Jan 2027". An end at midnight belongs to the day before.
    /// </summary>
    public static string DateRange(DateTime start, DateTime end)
    {
        var last = end > start && end.TimeOfDay == TimeSpan.Zero ? end.AddTicks(-1).Date : end.Date;
        string Day(DateTime d, string format) => d.ToString(format, CultureInfo.InvariantCulture);
        if (last <= start.Date)
        {
            return Day(start, "d MMM yyyy");
        }

        if (last.Year != start.Year)
        {
            return Day(start, "d MMM yyyy") + " – " + Day(last, "d MMM yyyy");
        }

        return last.Month == start.Month
            ? Day(start, "%d") + "–" + Day(last, "d MMM yyyy")
            : Day(start, "d MMM") + " – " + Day(last, "d MMM yyyy");
    }

    /// <summary>Markup characters escaped, the rest (dashes, a zone's name) left readable.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public static IHtmlContent Activity(this IHtmlHelper html, DateTime utc, bool dateOnly = false)
    {
        ArgumentNullException.ThrowIfNull(html);
        var iso = TableExport.Instant(utc);
        var text = utc.ToString(dateOnly ? DateFormat : DateFormat + ", HH:mm", CultureInfo.InvariantCulture) + (dateOnly ? "" : " UTC");
        return new HtmlString($"<time datetime=\"{iso}\" data-local=\"{(dateOnly ? "date" : "datetime")}\" title=\"{text}\">{text}</time>");
    }
}
