using System.Globalization;
using Microsoft.AspNetCore.Html;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Activity times (when something was recorded) in the viewer's own time zone: the server writes the instant in
/// UTC, labelled as such, and site.js shows it in the browser's zone with the UTC time on hover.
/// </summary>
public static class Times
{
    public static IHtmlContent Activity(this IHtmlHelper html, DateTime utc, bool dateOnly = false)
    {
        ArgumentNullException.ThrowIfNull(html);
        var iso = TableExport.Instant(utc);
        var text = utc.ToString(dateOnly ? "d MMM yyyy" : "d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + (dateOnly ? "" : " UTC");
        return new HtmlString($"<time datetime=\"{iso}\" data-local=\"{(dateOnly ? "date" : "datetime")}\" title=\"{text}\">{text}</time>");
    }
}
