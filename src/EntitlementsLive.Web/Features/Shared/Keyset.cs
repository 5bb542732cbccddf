using System.Globalization;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Keyset paging on a descending id, the one way every list (history, an event's transfers, the audit trail)
/// reads its limit and cursor and cuts its page.
/// </summary>
public static class Keyset
{
    public const int MaxLimit = 500;

    /// <summary>The page size and the id to read below; bad values are added to <paramref name="check"/>.</summary>
    public static (int Take, long? Before) Read(Validation check, int? limit, string? cursor, int defaultLimit)
    {
        var take = limit ?? defaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            check.Add("limit", $"limit must be between 1 and {MaxLimit}.");
        }

        if (string.IsNullOrEmpty(cursor))
        {
            return (take, null);
        }

        if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return (take, id);
        }

        check.Add("cursor", "The cursor is not one this API returned.");
        return (take, null);
    }

    /// <summary>Items read with <c>Take(take + 1)</c>: the page, and the cursor of the next one when there is one.</summary>
    public static (List<T> Items, string? Next) Cut<T>(List<T> items, int take, Func<T, long> id)
    {
        if (items.Count <= take)
        {
            return (items, null);
        }

        items.RemoveAt(take);
        return (items, id(items[^1]).ToString(CultureInfo.InvariantCulture));
    }
}
