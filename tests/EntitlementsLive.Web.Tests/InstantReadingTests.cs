using System.Globalization;
using System.Text.RegularExpressions;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Instants read digit by digit (the fast path of <see cref="StrictInput.Instant"/>) are read exactly as the general
/// parser behind the pattern reads them: the same accepted, the same refused, the same value.
/// </summary>
public partial class InstantReadingTests
{
    [Fact]
    public void EveryShapeOfThePattern_AndTheirNearMisses_ReadAsTheGeneralParserReadsThem()
    {
        var random = new Random(20261208);
        var inputs = new List<string>
        {
            "2027-02-29T10:00Z", "2028-02-29T10:00Z", "2027-04-31T10:00Z", "2027-04-01T24:00Z", "2027-04-01T10:60Z", "2027-04-01T10:00:60Z",
            "2027-04-01T10:00+14:00", "2027-04-01T10:00+14:01", "2027-04-01T10:00-14:00", "2027-04-01T10:00+15:00", "2027-04-01T10:00+05:60",
            "2027-04-01T10:00:00.12345678Z", "2027-04-01T10:00:00.Z", "2027-04-01T10:00:00.1234567Z", "٢٠٢٧-04-01T10:00Z", "2027-04-01t10:00Z",
            "2027-04-01T10:00z", "2027-04-01T10:00", "2027-04-01 10:00Z", "1999-12-31T23:59:59.9999999Z", "2000-01-01T00:00:00+01:00",
            "2100-01-01T00:00Z", "2099-12-31T23:59:59-01:00", "0001-01-01T00:00Z", "9999-12-31T23:59:59.9999999Z", "2027-00-10T10:00Z",
            "2027-04-00T10:00Z", "", "2027-04-01T10:00:00+00:00 ", " 2027-04-01T10:00Z",
        };
        const string mutations = "0123456789:-+TZ. x";
        for (var n = 0; n < 20_000; n++)
        {
            var at = new DateTime(random.NextInt64(new DateTime(1990, 1, 1).Ticks, new DateTime(2110, 1, 1).Ticks));
            var offset = TimeSpan.FromMinutes(15 * random.Next(-56, 57));
            var text = at.ToString(random.Next(4) switch
            {
                0 => "yyyy-MM-dd'T'HH:mm",
                1 => "yyyy-MM-dd'T'HH:mm:ss",
                2 => "yyyy-MM-dd'T'HH:mm:ss." + new string('f', random.Next(1, 8)),
                _ => "yyyy-MM-dd'T'HH:mm:ss.fffffff",
            }, CultureInfo.InvariantCulture) + (random.Next(3) == 0 ? "Z" : (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture));
            if (random.Next(4) == 0)
            {
                var chars = text.ToCharArray();
                chars[random.Next(chars.Length)] = mutations[random.Next(mutations.Length)];
                text = new string(chars);
            }

            inputs.Add(text);
        }

        foreach (var text in inputs)
        {
            var error = StrictInput.Instant(text, "at", out var utc);
            var expectedError = GeneralReading(text, out var expectedUtc);
            Assert.True(expectedError == error && expectedUtc == utc && expectedUtc.Kind == utc.Kind,
                $"{text}: {error ?? utc.ToString("O")} instead of {expectedError ?? expectedUtc.ToString("O")}");
        }
    }

    /// <summary>How the instant was read before the fast path: the pattern, then the general parser, then the window.</summary>
    private static string? GeneralReading(string text, out DateTime utc)
    {
        utc = default;
        if (!Pattern().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return "at must be an ISO 8601 date and time with its offset, e.g. 2027-03-01T09:00:00+01:00 or 2027-03-01T08:00:00Z";
        }

        if (value.UtcDateTime < StrictInput.Earliest || value.UtcDateTime >= StrictInput.Latest)
        {
            return "at must fall between 2000 and 2100";
        }

        utc = value.UtcDateTime;
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
