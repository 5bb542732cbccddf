using EntitlementsLive.Web.Features.Forecasts;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Events;

/// <summary>What the Events tab asks for: a sub-tab ("live" unless "past"), the "Missing only" switch, a page from 1.</summary>
public sealed record EventsScreenRequest(string? Status, bool MissingOnly, int PageNumber);

/// <summary>
/// Everything the Events tab shows, computed at one instant: one page of the sub-tab, the red window (live red events
/// soonest first, then past ones), the red counts, each sub-tab's count and, on the Live tab, the forecasts of the
/// events shown.
/// </summary>
public sealed record EventsScreen(
    EventFilter Filter,
    bool MissingOnly,
    int PageNumber,
    IReadOnlyList<EventDto> Events,
    bool HasNext,
    IReadOnlyList<EventDto> MissingWindow,
    MissingCounts Missing,
    int LiveCount,
    int PastCount,
    ForecastDto? Forecast)
{
    public const int PageSize = 50;

    /// <summary>The red window lists this many; "Missing only" pages through them all.</summary>
    public const int MissingWindowSize = 25;

    public string Status => Filter == EventFilter.Past ? "past" : "live";

    public int TotalMissing => Missing.LiveEventsMissing + Missing.PastEventsMissing;

    public bool HasPrevious => PageNumber > 1;
}

/// <summary>The Events tab's one query. Each list reads ids from a covering index first, then all its rows at once.</summary>
public sealed class EventsScreenQuery(EventQueries events, ForecastQueries forecasts, TimeProvider clock)
{
    public async Task<EventsScreen> For(int organizationId, EventsScreenRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var filter = request.Status == "past" ? EventFilter.Past : EventFilter.Live;
        var pageNumber = Math.Max(1, request.PageNumber);
        var missing = await events.MissingCountsAt(organizationId, now, ct);

        // With "Missing only" on, each sub-tab's count is a red count already read.
        var (live, past) = request.MissingOnly
            ? (missing.LiveEventsMissing, missing.PastEventsMissing)
            : await events.CountsAt(organizationId, missingOnly: false, now, ct);
        var pageIds = await events.IdsAt(organizationId, filter, request.MissingOnly, now, EventsScreen.PageSize + 1,
            (pageNumber - 1) * EventsScreen.PageSize, ct);
        var windowIds = await events.MissingWindowIdsAt(organizationId, missing, EventsScreen.MissingWindowSize, now, ct);
        var shown = pageIds.Take(EventsScreen.PageSize).ToList();
        var rows = await events.ByIdsAt([.. shown.Union(windowIds)], now, ct);
        var forecast = filter == EventFilter.Live ? await forecasts.ForEvents(organizationId, [.. shown.Union(windowIds)], ct) : null;
        return new EventsScreen(filter, request.MissingOnly, pageNumber, [.. shown.Select(id => rows[id])], pageIds.Count > shown.Count,
            [.. windowIds.Select(id => rows[id])], missing, live, past, forecast);
    }
}
