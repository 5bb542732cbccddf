using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace EntitlementsLive.Web.Features.Forecasts;

/// <summary>One live event's forecast, as the contract spells it.</summary>
public sealed record EventForecastDto(
    int EventId,
    string EventName,
    DateTime StartsAt,
    long CountedNow,
    long? ProjectedCountedAtStart,
    long? Low,
    long? High,
    string Basis,
    IReadOnlyList<PlanShortfall> ProjectedMissingAtStart)
{
    /// <summary>What the event is projected to miss at start beyond what it misses today (for "likely short by N").</summary>
    public long ProjectedMissingOf(string productCode) => ProjectedMissingAtStart.Where(m => m.ProductCode == productCode).Sum(m => m.Missing);
}

public sealed record ForecastDto(IReadOnlyList<EventForecastDto> Events, IReadOnlyList<PoolProjection> Pools)
{
    public static readonly ForecastDto Empty = new([], []);

    /// <summary>Each event's forecast by its id, built once: a page of events looks up every row's (thousands of forecasts at size).</summary>
    private Dictionary<int, EventForecastDto>? _byEvent;

    public EventForecastDto? Of(int eventId) =>
        (_byEvent ??= Events.GroupBy(e => e.EventId).ToDictionary(g => g.Key, g => g.First())).GetValueOrDefault(eventId);

    public PoolProjection? PoolOf(string productCode) => Pools.FirstOrDefault(p => p.ProductCode == productCode);
}

/// <summary>An organization whose pools are projected short: the account manager's list.</summary>
public sealed record OrganizationForecastDto(int OrganizationId, string OrganizationName, IReadOnlyList<PoolProjection> Pools);

/// <summary>
/// Rule 14's figures: each live event's forecast from the organization's past events (their curves replayed from the
/// participant changes kept with them, cached per event until its count moves) or from its own recent growth, and each
/// pool against the live events' projected need. Reads only; a forecast never moves an entitlement.
/// </summary>
public sealed class ForecastQueries(AppDbContext db, TimeProvider clock, IMemoryCache cache)
{
    /// <summary>The most recent past events a forecast learns from.</summary>
    public const int PastEventsUsed = 50;

    /// <summary>
    /// The organization's forecast, computed once per change of the organization (its last sequence) and per hour (the
    /// time left before each start moves it), so the pages that show it add almost nothing.
    /// </summary>
    public async Task<ForecastDto> ForOrganization(int organizationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = await KeyAsync(organizationId, now, ct);
        if (cache.TryGetValue(key, out ForecastDto? cached) && cached is not null)
        {
            return cached;
        }

        var forecast = await ComputeAsync(organizationId, now, ct);
        cache.Set(key, forecast, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });
        return forecast;
    }

    /// <summary>
    /// The forecasts of some of the organization's events (a page of the Events tab), without its pools: the
    /// organization's whole forecast when it is computed already, else these events' alone from the same cached curves,
    /// so a page after a write projects its fifty rows, not every live event.
    /// </summary>
    public async Task<ForecastDto> ForEvents(int organizationId, IReadOnlyCollection<int> eventIds, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (cache.TryGetValue(await KeyAsync(organizationId, now, ct), out ForecastDto? whole) && whole is not null)
        {
            return whole;
        }

        var shown = await LiveEvents(organizationId, now).Where(e => eventIds.Contains(e.Id)).ToListAsync(ct);
        return new ForecastDto(await ProjectAsync(organizationId, shown, now, ct), []);
    }

    private async Task<string> KeyAsync(int organizationId, DateTime now, CancellationToken ct)
    {
        var sequence = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.LastSequence).SingleAsync(ct);
        return FormattableString.Invariant($"forecast:{organizationId}:{sequence}:{now:yyyyMMddHH}");
    }

    private IQueryable<Event> LiveEvents(int organizationId, DateTime now) =>
        db.Events.AsNoTracking().Include(e => e.Products).Where(e => e.OrganizationId == organizationId).Where(Event.LiveAt(now))
            .OrderBy(e => e.StartsAt).ThenBy(e => e.Id);

    private async Task<ForecastDto> ComputeAsync(int organizationId, DateTime now, CancellationToken ct)
    {
        var live = await LiveEvents(organizationId, now).ToListAsync(ct);
        var events = await ProjectAsync(organizationId, live, now, ct);
        var available = await db.Pools.AsNoTracking().Where(p => p.OrganizationId == organizationId)
            .ToDictionaryAsync(p => p.ProductCode, p => p.Available, StringComparer.Ordinal, ct);
        var missingNow = live.ToDictionary(e => e.Id, e => (IReadOnlyList<PlanShortfall>)e.Products.Where(p => p.Missing > 0).Select(p => new PlanShortfall(p.ProductCode, p.Missing)).ToList());
        var pools = Forecasting.Pools(events.Select(e => (e.StartsAt, e.ProjectedMissingAtStart, missingNow[e.EventId])), available);
        return new ForecastDto(events, pools);
    }

    /// <summary>Each live event's forecast, from the organization's recent past events and, where they do not tell, its own history.</summary>
    private async Task<List<EventForecastDto>> ProjectAsync(int organizationId, List<Event> live, DateTime now, CancellationToken ct)
    {
        var past = await PastCurvesAsync(organizationId, now, ct);

        // An event with no registration yet gets no number by either method: its history is not read.
        var own = await CachedCurvesAsync([.. live.Where(e => e.CountedParticipants > 0 && !Forecasting.UsesPickup(past, e.StartsAt, now))], ct);
        return live.ConvertAll(e =>
        {
            var forecast = Forecasting.Project(e.CountedParticipants, e.StartsAt, now, past, own.GetValueOrDefault(e.Id));
            return new EventForecastDto(e.Id, e.Name, e.StartsAt, forecast.CountedNow, forecast.Projected, forecast.Low, forecast.High, forecast.Basis,
                Forecasting.MissingAtStart(e, forecast));
        });
    }

    /// <summary>Every organization with entitlements whose pools are projected short, with those pools.</summary>
    public async Task<IReadOnlyList<OrganizationForecastDto>> Shortfalls(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var organizations = await db.Organizations.AsNoTracking().Where(Organization.EntitlementsWork)
            .Where(o => db.Events.Where(Event.LiveAt(now)).Any(e => e.OrganizationId == o.Id))
            .OrderBy(o => o.Name).Select(o => new { o.Id, o.Name }).ToListAsync(ct);
        var list = new List<OrganizationForecastDto>();
        foreach (var o in organizations)
        {
            var shortPools = (await ForOrganization(o.Id, ct)).Pools.Where(p => p.IsShort).ToList();
            if (shortPools.Count > 0)
            {
                list.Add(new OrganizationForecastDto(o.Id, o.Name, shortPools));
            }
        }

        return list;
    }

    /// <summary>The curves of the organization's most recent past events.</summary>
    private async Task<IReadOnlyList<CountCurve>> PastCurvesAsync(int organizationId, DateTime now, CancellationToken ct)
    {
        var past = await db.Events.AsNoTracking().Where(e => e.OrganizationId == organizationId).Where(Event.PastAt(now))
            .OrderByDescending(e => e.StartsAt).Take(PastEventsUsed).ToListAsync(ct);
        var curves = await CachedCurvesAsync(past, ct);
        return [.. past.Select(e => curves[e.Id])];
    }

    /// <summary>
    /// The events' curves, each cached until its counters or its start move (a live event's own history too, so a write
    /// elsewhere in the organization recomputes its forecast without reading every event's participant changes again).
    /// </summary>
    private async Task<Dictionary<int, CountCurve>> CachedCurvesAsync(List<Event> events, CancellationToken ct)
    {
        var curves = new Dictionary<int, CountCurve>(events.Count);
        var missing = new List<Event>();
        foreach (var e in events)
        {
            if (cache.TryGetValue(Key(e), out CountCurve? cached) && cached is not null)
            {
                curves[e.Id] = cached;
            }
            else
            {
                missing.Add(e);
            }
        }

        var replayed = await CurvesAsync(missing, ct);
        foreach (var e in missing)
        {
            cache.Set(Key(e), curves[e.Id] = replayed[e.Id], new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        }

        return curves;
    }

    private static string Key(Event e) =>
        FormattableString.Invariant($"curve:{e.Id}:{e.CountedParticipants}:{e.ActivatedParticipants}:{e.StartsAt.Ticks}");

    /// <summary>The events' curves, replayed from the participant changes kept with them (rows without their details are skipped).</summary>
    private async Task<Dictionary<int, CountCurve>> CurvesAsync(List<Event> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var ids = events.Select(e => e.Id).ToList();
        var rows = await db.AppliedChanges.AsNoTracking()
            .Where(c => ids.Contains(c.EventId) && c.ParticipantRef != null && c.Type != null && c.OccurredAt != null)
            .Select(c => new { c.EventId, c.ParticipantRef, c.Type, c.OccurredAt })
            .ToListAsync(ct);
        var byEvent = rows.ToLookup(r => r.EventId);
        return events.ToDictionary(e => e.Id, e => CountCurve.Replay(e.StartsAt,
            byEvent[e.Id].Select(r => new CountedChange(r.ParticipantRef!, r.Type!.Value, r.OccurredAt!.Value))));
    }
}
