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
public sealed class EventQueries(AppDbContext db, TimeProvider clock, CurrentUser me, TransactionQueries history)
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
        var query = Ordered(organizationId, filter, missingOnly, now);
        if (skip > 0)
        {
            query = query.Skip(skip);
        }

        if (limit is not null)
        {
            query = query.Take(limit.Value);
        }

        return await ToDtos(await query.ToListAsync(ct), now, ct);
    }

    /// <summary>
    /// Every event the filter selects, in the list's order, for an export: the order is read once, at one instant (an
    /// event that ends meanwhile neither moves nor repeats), then the events are read <paramref name="chunk"/> at a time.
    /// </summary>
    public async IAsyncEnumerable<EventDto> All(int organizationId, EventFilter filter, bool missingOnly, int chunk,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = await Ordered(organizationId, filter, missingOnly, now).Select(e => e.Id).ToListAsync(ct);
        foreach (var part in ids.Chunk(chunk))
        {
            var events = await db.Events.AsNoTracking().Where(e => part.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
            foreach (var dto in await ToDtos([.. part.Where(events.ContainsKey).Select(id => events[id])], now, ct))
            {
                yield return dto;
            }
        }
    }

    private IQueryable<Event> Ordered(int organizationId, EventFilter filter, bool missingOnly, DateTime now)
    {
        var query = db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId && (!missingOnly || e.IsMissing));
        return filter switch
        {
            EventFilter.Live => query.Where(Event.LiveAt(now)).OrderBy(e => e.StartsAt).ThenBy(e => e.Id),
            EventFilter.Past => query.Where(Event.PastAt(now)).OrderByDescending(e => e.EndsAt).ThenBy(e => e.Id),
            _ => query.OrderBy(Event.PastAt(now)).ThenBy(e => e.StartsAt).ThenBy(e => e.Id),
        };
    }

    private async Task<IReadOnlyList<EventDto>> ToDtos(List<Event> events, DateTime now, CancellationToken ct)
    {
        var ids = events.Select(e => e.Id).ToList();
        var rows = (await db.EventProducts.AsNoTracking().Where(p => ids.Contains(p.EventId)).ToListAsync(ct)).ToLookup(p => p.EventId);
        var catalog = await Snapshots.ProductsAsync(db, ct);
        return events.ConvertAll(e => Snapshots.ToDto(e, rows[e.Id], catalog, now));
    }

    /// <summary>The event page shows this many of its newest transfers and links to the filtered history.</summary>
    public const int DetailTransactions = 20;

    /// <summary>
    /// The event's coverage, and a keyset page of its transfers when the reader manages entitlements (not for the
    /// event's team): the same paging and cursor as the transaction history, filtered to the event.
    /// </summary>
    public async Task<EventEntitlements> Details(int organizationId, int eventId, CancellationToken ct, int? limit = null, string? cursor = null)
    {
        var dto = await Coverage(organizationId, eventId, ct);
        if (!await me.ManagesEntitlementsAsync(organizationId, ct))
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

    public async Task<(int Live, int Past)> Counts(int organizationId, bool missingOnly, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.Events.Where(e => e.OrganizationId == organizationId && (!missingOnly || e.IsMissing));
        return (await query.CountAsync(Event.LiveAt(now), ct), await query.CountAsync(Event.PastAt(now), ct));
    }

    public Task<MissingCounts> MissingCounts(int organizationId, CancellationToken ct) =>
        Snapshots.MissingCountsAsync(db, organizationId, clock.GetUtcNow().UtcDateTime, ct);
}
