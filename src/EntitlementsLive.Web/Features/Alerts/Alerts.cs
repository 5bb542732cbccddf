using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Alerts;

public sealed record ThresholdLevel(long? Available, long? PercentOfPurchased);

public sealed record ThresholdsRequest(IReadOnlyList<ThresholdLevel?>? Levels);

/// <summary>A pool's levels, each with what it means in entitlements today.</summary>
public sealed record ThresholdsDto(string ProductCode, IReadOnlyList<ThresholdLevelDto> Levels);

public sealed record ThresholdLevelDto(int Id, long? Available, long? PercentOfPurchased, long LevelNow);

public sealed record AlertSettingsRequest(int? UncoveredSoonDays);

public sealed record AlertSettingsDto(int UncoveredSoonDays);

/// <summary>The Alerts tab: its alerts, open ones (or all: <see cref="State"/>) newest first, and the warning window for events.</summary>
public sealed record AlertsScreen(string State, IReadOnlyList<AlertDto> Alerts, int UncoveredSoonDays);

/// <summary>The Alerts list, the bell's count, the pools' levels and the warning window of one organization.</summary>
public sealed class AlertQueries(AppDbContext db)
{
    public const int MaxListed = 500;

    public async Task<IReadOnlyList<AlertDto>> List(int organizationId, string? state, CancellationToken ct)
    {
        var open = state switch
        {
            null or "" or "open" => true,
            "all" => false,
            _ => throw Validation.Invalid("state", "state must be open or all."),
        };
        var alerts = db.Alerts.AsNoTracking().Where(a => a.OrganizationId == organizationId);
        if (open)
        {
            alerts = alerts.Where(a => a.OpenKey != null);
        }

        return (await alerts.OrderByDescending(a => a.Id).Take(MaxListed).ToListAsync(ct)).ConvertAll(AlertDto.Of);
    }

    /// <summary>The Alerts tab's one query: "all" lists every alert, anything else the open ones.</summary>
    public async Task<AlertsScreen> Screen(int organizationId, string? state, CancellationToken ct)
    {
        var shown = state == "all" ? "all" : "open";
        return new AlertsScreen(shown, await List(organizationId, shown, ct), (await Settings(organizationId, ct)).UncoveredSoonDays);
    }

    public Task<int> OpenCount(int organizationId, CancellationToken ct) =>
        db.Alerts.CountAsync(a => a.OrganizationId == organizationId && a.OpenKey != null, ct);

    /// <summary>Every pool's levels (the pools tab), or one pool's (<paramref name="productCode"/>): empty lists included.</summary>
    public async Task<IReadOnlyList<ThresholdsDto>> Thresholds(int organizationId, CancellationToken ct, string? productCode = null)
    {
        var pools = await db.Pools.AsNoTracking().Where(p => p.OrganizationId == organizationId && (productCode == null || p.ProductCode == productCode))
            .ToDictionaryAsync(p => p.ProductCode, p => p.Purchased, StringComparer.Ordinal, ct);
        var levels = (await db.PoolThresholds.AsNoTracking().Where(t => t.OrganizationId == organizationId && (productCode == null || t.ProductCode == productCode))
            .OrderBy(t => t.Id).ToListAsync(ct)).ToLookup(t => t.ProductCode, StringComparer.Ordinal);
        return pools.Select(p => new ThresholdsDto(p.Key, levels[p.Key].Select(t => ToDto(t, p.Value)).ToList())).ToList();
    }

    public async Task<ThresholdsDto> Thresholds(int organizationId, string productCode, CancellationToken ct) =>
        (await Thresholds(organizationId, ct, productCode)).SingleOrDefault() ?? throw Validation.NotFound("The pool of " + productCode);

    public async Task<AlertSettingsDto> Settings(int organizationId, CancellationToken ct) =>
        new(await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.UncoveredSoonDays).SingleAsync(ct));

    public static ThresholdLevelDto ToDto(PoolThreshold t, long purchased) =>
        new(t.Id, t.Kind == ThresholdKind.Available ? t.Value : null, t.Kind == ThresholdKind.PercentOfPurchased ? t.Value : null, t.LevelFor(purchased));
}

/// <summary>
/// Sets a pool's levels (the whole list, as the pools tab edits it): unchanged levels keep their open alerts, removed
/// ones resolve theirs, and the pool is checked against the new list at once, in one transaction.
/// </summary>
public sealed class SetThresholds(OrganizationWrite write, AlertQueries queries)
{
    public async Task<ThresholdsDto> Handle(int organizationId, string productCode, ThresholdsRequest request, CancellationToken ct)
    {
        var wanted = Validate(organizationId, productCode, request);
        await write.RunAsync(organizationId, async change =>
        {
            var db = change.Db;
            var pool = await db.Pools.AsNoTracking().SingleOrDefaultAsync(p => p.OrganizationId == organizationId && p.ProductCode == productCode, ct)
                ?? throw Validation.NotFound("The pool of " + productCode);
            var product = await db.Products.AsNoTracking().SingleAsync(p => p.Code == productCode, ct);
            var existing = await db.PoolThresholds.Where(t => t.OrganizationId == organizationId && t.ProductCode == productCode).ToListAsync(ct);
            var removed = existing.Where(t => !wanted.Any(w => w.Kind == t.Kind && w.Value == t.Value)).ToList();
            db.PoolThresholds.RemoveRange(removed);
            db.PoolThresholds.AddRange(wanted.Where(w => !existing.Any(t => t.Kind == w.Kind && t.Value == w.Value)));
            await db.SaveChangesAsync(ct);

            change.Raise(await AlertChanges.ForRemovedThresholdsAsync(change, removed.ConvertAll(t => t.Id), ct));
            change.Raise(await AlertChanges.ForPoolAsync(change, productCode, product.Name, pool.Purchased, pool.Available, ct));
            return 0;
        }, ct);
        return await queries.Thresholds(organizationId, productCode, ct);
    }

    /// <summary>The levels as the pools tab writes them ("50, 10%"): what <see cref="Parse"/> reads back.</summary>
    public static string Write(ThresholdsDto levels) =>
        string.Join(", ", levels.Levels.Select(l => l.Available is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : l.PercentOfPurchased + "%"));

    /// <summary>The levels as the pools tab writes them: "50, 10%" (a number of entitlements, or a percent of purchased).</summary>
    public static ThresholdsRequest Parse(string? text)
    {
        var levels = new List<ThresholdLevel?>();
        foreach (var part in (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var percent = part.EndsWith('%');
            var digits = percent ? part[..^1].TrimEnd() : part;
            if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                throw Validation.Invalid("levels", $"\"{part}\" is not a level: write a number of entitlements (50) or a percent of purchased (10%), separated by commas.");
            }

            levels.Add(percent ? new ThresholdLevel(null, value) : new ThresholdLevel(value, null));
        }

        return new ThresholdsRequest(levels);
    }

    private static List<PoolThreshold> Validate(int organizationId, string productCode, ThresholdsRequest request)
    {
        if (request.Levels is null)
        {
            throw Validation.Invalid("levels", "Give the pool's levels (an empty list removes them).");
        }

        if (request.Levels.Count > PoolThreshold.MaxPerPool)
        {
            throw Validation.Invalid("levels", $"A pool has at most {PoolThreshold.MaxPerPool} levels.");
        }

        var levels = new List<PoolThreshold>();
        foreach (var level in request.Levels)
        {
            var threshold = level switch
            {
                { Available: { } available, PercentOfPurchased: null } => new PoolThreshold(organizationId, productCode, ThresholdKind.Available, available),
                { Available: null, PercentOfPurchased: { } percent } => new PoolThreshold(organizationId, productCode, ThresholdKind.PercentOfPurchased, percent),
                _ => throw Validation.Invalid("levels", "Each level is either { \"available\": n } or { \"percentOfPurchased\": p }."),
            };
            if (levels.Any(l => l.Kind == threshold.Kind && l.Value == threshold.Value))
            {
                throw Validation.Invalid("levels", $"The level {threshold.Describe()} is given twice.");
            }

            levels.Add(threshold);
        }

        return levels;
    }
}

/// <summary>
/// Rule 13 for events over time: events that entered their warning window with no ledger activity, and warnings whose
/// event is covered, ended or left the window, are settled per organization (the minutely job, and at once when an
/// administrator changes the window).
/// </summary>
public sealed class SweepUncoveredSoon(AppDbContext db, TimeProvider clock, OrganizationWrite write)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var horizon = now.AddDays(Alert.MaxWindowDays);
        var candidates = await db.Events.AsNoTracking()
            .Where(e => e.IsMissing && e.StartsAt <= horizon && e.EndsAt > now)
            .Select(e => e.OrganizationId)
            .Union(db.Alerts.Where(a => a.Kind == AlertKind.EventUncoveredSoon && a.OpenKey != null).Select(a => a.OrganizationId))
            .ToListAsync(ct);
        var changed = 0;
        foreach (var organizationId in candidates.Distinct())
        {
            changed += await ForOrganization(organizationId, ct);
        }

        return changed;
    }

    public Task<int> ForOrganization(int organizationId, CancellationToken ct) => write.RunAsync(organizationId, async change =>
    {
        var db = change.Db;
        var now = change.Now;
        var days = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.UncoveredSoonDays).SingleAsync(ct);
        var horizon = now.AddDays(days);
        var open = await db.Alerts.Where(a => a.OrganizationId == organizationId && a.Kind == AlertKind.EventUncoveredSoon && a.OpenKey != null).ToListAsync(ct);
        var openIds = open.Select(a => a.EventId).ToList();
        var events = await db.Events.AsNoTracking()
            .Where(e => e.OrganizationId == organizationId && ((e.IsMissing && e.StartsAt <= horizon && e.EndsAt > now) || openIds.Contains(e.Id)))
            .ToListAsync(ct);
        var changed = events.Select(e => AlertBook.SettleEvent(e, open.Find(a => a.EventId == e.Id), days, now)).OfType<AlertChanged>().ToList();

        // A warning whose event no longer exists in this organization.
        changed.AddRange(AlertBook.ResolveAll(open.Where(a => events.All(e => e.Id != a.EventId)), now));
        change.Raise(AlertChanges.Added(db, changed));
        return changed.Count;
    }, ct);
}

/// <summary>The organization's warning window for events; the events are checked against the new window at once.</summary>
public sealed class SetAlertSettings(AppDbContext db, SweepUncoveredSoon sweep)
{
    public async Task<AlertSettingsDto> Handle(int organizationId, AlertSettingsRequest request, CancellationToken ct)
    {
        if (request.UncoveredSoonDays is not { } days)
        {
            throw Validation.Invalid("uncoveredSoonDays", $"uncoveredSoonDays must be between {Alert.MinWindowDays} and {Alert.MaxWindowDays}.");
        }

        var organization = await db.Organizations.SingleAsync(o => o.Id == organizationId, ct);
        organization.WarnUncoveredWithin(days);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        await sweep.ForOrganization(organizationId, ct);
        return new AlertSettingsDto(days);
    }
}
