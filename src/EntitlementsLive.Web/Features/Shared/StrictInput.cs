using System.Globalization;
using System.Text.RegularExpressions;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The same strict reading of input for the API, the pages and CSV uploads: instants in ISO 8601 with their
/// offset and within a sane window, text as the domain's <see cref="EntitlementsLive.Domain.Text"/> says.
/// </summary>
public static partial class StrictInput
{
    /// <summary>Instants outside this window are surely a mistake (year 1, a swapped field).</summary>
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static readonly DateTime Latest = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Null when <paramref name="text"/> is a valid instant (then in <paramref name="utc"/>); else why not.</summary>
    public static string? Instant(string? text, string field, out DateTime utc)
    {
        utc = default;
        if (text is null || !OffsetPattern().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return $"{field} must be an ISO 8601 date and time with its offset, e.g. 2027-03-01T09:00:00+01:00 or 2027-03-01T08:00:00Z";
        }

        if (value.UtcDateTime < Earliest || value.UtcDateTime >= Latest)
        {
            return $"{field} must fall between 2000 and 2100";
        }

        utc = value.UtcDateTime;
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
