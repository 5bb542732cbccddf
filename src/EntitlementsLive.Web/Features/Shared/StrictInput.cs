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
        if (text is null || !(TryReadDirectly(text, out var value) || (OffsetPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))))
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

    /// <summary>
    /// The pattern's instants, read digit by digit: a batch of 10,000 participant changes spent most of its validation in
    /// the general parser. Only what is surely valid is read here (a real date, hours to 23, seconds to 59, an offset to
    /// 14:00); anything else, valid or not, goes the general way above, so what is accepted and its value do not change.
    /// </summary>
    private static bool TryReadDirectly(string text, out DateTimeOffset value)
    {
        value = default;
        var s = text.AsSpan();
        if (s.Length < 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':'
            || !Number(s[..4], out var year) || !Number(s.Slice(5, 2), out var month) || !Number(s.Slice(8, 2), out var day)
            || !Number(s.Slice(11, 2), out var hour) || !Number(s.Slice(14, 2), out var minute))
        {
            return false;
        }

        var i = 16;
        int second = 0, fraction = 0;
        if (s[i] == ':')
        {
            if (s.Length < i + 4 || !Number(s.Slice(i + 1, 2), out second))
            {
                return false;
            }

            i += 3;
            if (s[i] == '.')
            {
                var digits = 0;
                for (i++; i < s.Length && char.IsAsciiDigit(s[i]) && digits < 7; i++, digits++)
                {
                    fraction = fraction * 10 + (s[i] - '0');
                }

                // An eighth digit stops the loop on a digit, which no offset starts with.
                if (digits == 0 || i >= s.Length)
                {
                    return false;
                }

                for (; digits < 7; digits++)
                {
                    fraction *= 10;
                }
            }
        }

        TimeSpan offset;
        if (s[i] == 'Z' && i == s.Length - 1)
        {
            offset = TimeSpan.Zero;
        }
        else if (s[i] is '+' or '-' && i + 6 == s.Length && s[i + 3] == ':'
            && Number(s.Slice(i + 1, 2), out var offsetHours) && Number(s.Slice(i + 4, 2), out var offsetMinutes)
            && offsetMinutes <= 59 && offsetHours * 60 + offsetMinutes <= 14 * 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (year is < 1000 or > 9000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second).AddTicks(fraction), offset);
        return true;
    }

    private static bool Number(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
