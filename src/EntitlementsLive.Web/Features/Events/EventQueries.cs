using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Events;

public enum EventFilter
{
    All = 0,
    Live = 1,
    Past = 2,
}

/// <summary>An event's coverage and one page of its transfers (newest first; empty for the event's team).</summary>
public sealed record EventEntitlements(EventDto Event, IReadOnlyList<TransactionDto> Transactions, string? NextCursor);

/// <summary>The Events tab and the event's entitlement details.</summary>
public sealed class EventQueries(AppDbContext db, TimeProvider clock, TransactionQueries history)
{
    public static EventFilter ParseFilter(string? status) => status switch
    {
        null or "" or "all" => EventFilter.All,
        "live" => EventFilter.Live,
        "past" => EventFilter.Past,
        _ => throw DomainException.Validation("status", "status must be live, past or all."),
    };

    /// <summary>Live events soonest first, past events most recent first.</summary>
    public async Task<IReadOnlyList<EventDto>> List(int organizationId, EventFilter filter, bool missingOnly, CancellationToken ct,
        int? limit = null, int skip = 0)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = await IdsAt(organizationId, filter, missingOnly, now, limit, skip, ct);

        // The rows are read through the same selection as a subquery: a list of hundreds of ids is no parameter list.
        var rows = await RowsAt(Page(Ordered(organizationId, filter, missingOnly, now).Select(e => e.Id), limit, skip), now, ct);
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    /// <summary>
    /// Every event the filter selects, in the list's order, for an export: the order is read once, at one instant (an
    /// event that ends meanwhile neither moves nor repeats), then the events are read <paramref name="chunk"/> at a time.
    /// </summary>
    public async IAsyncEnumerable<EventDto> All(int organizationId, EventFilter filter, bool missingOnly, int chunk,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = await IdsAt(organizationId, filter, missingOnly, now, limit: null, skip: 0, ct);
        foreach (var part in ids.Chunk(chunk))
        {
            var rows = await ByIdsAt(part, now, ct);
            foreach (var id in part.Where(rows.ContainsKey))
            {
                yield return rows[id];
            }
        }
    }

    /// <summary>
    /// The ids of one page of the list, in its order, read from the (organization, start or end, …) indexes alone; the
    /// rows are then read by id, so a deep page skips index entries, not whole rows.
    /// </summary>
    public async Task<List<int>> IdsAt(int organizationId, EventFilter filter, bool missingOnly, DateTime now, int? limit, int skip,
        CancellationToken ct) =>
        await Page(Ordered(organizationId, filter, missingOnly, now).Select(e => e.Id), limit, skip).ToListAsync(ct);

    private static IQueryable<int> Page(IQueryable<int> ids, int? limit, int skip)
    {
        ids = skip > 0 ? ids.Skip(skip) : ids;
        return limit is null ? ids : ids.Take(limit.Value);
    }

    /// <summary>
    /// The red window's ids: live red events soonest first, then past red ones by start, <paramref name="size"/> in all.
    /// Each part is a seek in the (organization, missing, start, end) index; a part the red counts say is empty is not read.
    /// </summary>
    public async Task<List<int>> MissingWindowIdsAt(int organizationId, MissingCounts missing, int size, DateTime now, CancellationToken ct)
    {
        var red = db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId).Where(Event.MissingIs(true));
        var ids = missing.LiveEventsMissing == 0
            ? []
            : await red.Where(Event.LiveAt(now)).OrderBy(e => e.StartsAt).ThenBy(e => e.Id).Select(e => e.Id).Take(size).ToListAsync(ct);
        if (ids.Count < size && missing.PastEventsMissing > 0)
        {
            ids.AddRange(await red.Where(Event.PastAt(now)).OrderBy(e => e.StartsAt).ThenBy(e => e.Id).Select(e => e.Id)
                .Take(size - ids.Count).ToListAsync(ct));
        }

        return ids;
    }

    /// <summary>The events with these ids and their coverage, in one read of the events and one of their products.</summary>
    public async Task<Dictionary<int, EventDto>> ByIdsAt(IReadOnlyCollection<int> ids, DateTime now, CancellationToken ct) =>
        ids.Count == 0 ? [] : await RowsAt(db.Events.Where(e => ids.Contains(e.Id)).Select(e => e.Id), now, ct);

    private async Task<Dictionary<int, EventDto>> RowsAt(IQueryable<int> ids, DateTime now, CancellationToken ct)
    {
        var events = await db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync(ct);
        var products = (await db.EventProducts.AsNoTracking().Where(p => ids.Contains(p.EventId)).ToListAsync(ct)).ToLookup(p => p.EventId);
        var catalog = await Snapshots.ProductsAsync(db, ct);
        return events.ToDictionary(e => e.Id, e => Snapshots.ToDto(e, products[e.Id], catalog, now));
    }

    private IQueryable<Event> Ordered(int organizationId, EventFilter filter, bool missingOnly, DateTime now)
    {
        var query = db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId);
        query = missingOnly ? query.Where(Event.MissingIs(true)) : query;
        return filter switch
        {
            EventFilter.Live => query.Where(Event.LiveAt(now)).OrderBy(e => e.StartsAt).ThenBy(e => e.Id),
            EventFilter.Past => query.Where(Event.PastAt(now)).OrderByDescending(e => e.EndsAt).ThenBy(e => e.Id),
            _ => query.OrderBy(Event.PastAt(now)).ThenBy(e => e.StartsAt).ThenBy(e => e.Id),
        };
    }

    /// <summary>The event page shows this many of its newest transfers and links to the filtered history.</summary>
    public const int DetailTransactions = 20;

    /// <summary>
    /// The event's coverage, and a keyset page of its transfers when the reader manages entitlements (decided once, by
    /// the caller; the event's team sees none): the same paging and cursor as the transaction history, filtered to the event.
    /// </summary>
    public async Task<EventEntitlements> Details(int organizationId, int eventId, bool withTransfers, CancellationToken ct, int? limit = null,
        string? cursor = null)
    {
        var dto = await Coverage(organizationId, eventId, ct);
        if (!withTransfers)
        {
            return new EventEntitlements(dto, [], null);
        }

        var page = await history.Page(organizationId, new TransactionFilter(EventId: eventId), limit ?? DetailTransactions, cursor, ct);
        return new EventEntitlements(dto, page.Items, page.NextCursor);
    }

    /// <summary>The event's coverage alone.</summary>
    public async Task<EventDto> Coverage(int organizationId, int eventId, CancellationToken ct) =>
        await Snapshots.EventAsync(db, organizationId, eventId, clock.GetUtcNow().UtcDateTime, ct) ?? throw Validation.NotFound("The event");

    /// <summary>Ids and names only, newest first, for pickers such as the history's event filter.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> Names(int organizationId, int limit, CancellationToken ct) =>
        (await db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId)
            .OrderByDescending(e => e.StartsAt).Take(limit).Select(e => new { e.Id, e.Name }).ToListAsync(ct))
        .Select(e => (e.Id, e.Name)).ToList();

    /// <summary>How many events are live and past at <paramref name="now"/> (red ones only when asked).</summary>
    public async Task<(int Live, int Past)> CountsAt(int organizationId, bool missingOnly, DateTime now, CancellationToken ct)
    {
        var query = db.Events.Where(e => e.OrganizationId == organizationId);
        query = missingOnly ? query.Where(Event.MissingIs(true)) : query;
        return (await query.CountAsync(Event.LiveAt(now), ct), await query.CountAsync(Event.PastAt(now), ct));
    }

    public Task<MissingCounts> MissingCountsAt(int organizationId, DateTime now, CancellationToken ct) =>
        Snapshots.MissingCountsAsync(db, organizationId, now, ct);
}
