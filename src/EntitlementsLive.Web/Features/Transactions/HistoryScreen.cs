using System.Globalization;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Transactions;

/// <summary>
/// The transaction history tab: its filters and the choices they offer (the products, the events), and one page of the
/// transactions they select, newest first.
/// </summary>
public sealed record HistoryScreen(TransactionFilter Filter, IReadOnlyList<PoolDto> Products, IReadOnlyList<(int Id, string Name)> Events, TransactionPage Result)
{
    /// <summary>The event filter offers at most this many events.</summary>
    public const int EventsOffered = 500;

    public bool Filtered => Filter.ProductCode is not null || Filter.EventId is not null || Filter.Kind is not null;

    /// <summary>The API export's query for the same filters ("?productCode=SUB&amp;format=csv").</summary>
    public string ExportQuery(string format)
    {
        var parts = new (string Name, string? Value)[]
        {
            ("productCode", Filter.ProductCode), ("eventId", Filter.EventId?.ToString(CultureInfo.InvariantCulture)), ("kind", Filter.Kind), ("format", format),
        };
        return "?" + string.Join("&", parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
    }
}

/// <summary>
/// The history tab's query, in two reads: the filters' choices, then the page, so that a refused cursor is said under
/// filters already read.
/// </summary>
public sealed class HistoryScreenQuery(TransactionQueries history, PoolQueries pools, EventQueries events)
{
    public async Task<HistoryScreen> For(int organizationId, TransactionFilter filter, CancellationToken ct) =>
        new(filter, await pools.List(organizationId, ct), await events.Names(organizationId, HistoryScreen.EventsOffered, ct), new([], null));

    /// <summary>The screen with the page of its filter at <paramref name="cursor"/>.</summary>
    public async Task<HistoryScreen> WithPage(int organizationId, HistoryScreen screen, string? cursor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(screen);
        return screen with { Result = await history.Page(organizationId, screen.Filter, TransactionQueries.DefaultLimit, cursor, ct) };
    }
}
