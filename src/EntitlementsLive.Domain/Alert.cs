using System.Globalization;

namespace EntitlementsLive.Domain;

public enum AlertKind
{
    PoolLow = 0,
    EventUncoveredSoon = 1,

    /// <summary>Rule 14 meets rule 13: the forecast says the pool will not cover its live events at their start.</summary>
    PoolProjectedShort = 2,
}

/// <summary>How a pool's level is given: a number of entitlements left, or a share of what was purchased.</summary>
public enum ThresholdKind
{
    Available = 0,
    PercentOfPurchased = 1,
}

/// <summary>
/// One level of a pool (rule 13): the pool is low while its available figure is at or below the level. A percent level
/// follows the purchases: 10 % of 300 purchased is 30.
/// </summary>
public sealed class PoolThreshold
{
    public const int MaxPerPool = 10;

    public const long MaxLevel = 1_000_000_000_000;

    public PoolThreshold(int organizationId, string productCode, ThresholdKind kind, long value)
    {
        if (kind == ThresholdKind.Available && value is < 0 or > MaxLevel)
        {
            throw DomainException.Validation("levels", $"An available level must be between 0 and {MaxLevel:N0}.");
        }

        if (kind == ThresholdKind.PercentOfPurchased && value is < 1 or > 100)
        {
            throw DomainException.Validation("levels", "A percent level must be between 1 and 100.");
        }

        OrganizationId = organizationId;
        ProductCode = productCode;
        Kind = kind;
        Value = value;
    }

    public int Id { get; private set; }

    public int OrganizationId { get; private set; }

    public string ProductCode { get; private set; }

    public ThresholdKind Kind { get; private set; }

    public long Value { get; private set; }

    /// <summary>The level in entitlements for a pool that purchased <paramref name="purchased"/> (a percent rounds down).</summary>
    public long LevelFor(long purchased) => Kind == ThresholdKind.Available ? Value : Math.Max(0, purchased) * Value / 100;

    /// <summary>Rule 13: the pool is low at or below its level.</summary>
    public bool IsLow(long purchased, long available) => available <= LevelFor(purchased);

    public string Describe() => Kind == ThresholdKind.Available
        ? Value.ToString("N0", CultureInfo.InvariantCulture) + " available"
        : Value.ToString(CultureInfo.InvariantCulture) + " % of purchased";
}

/// <summary>
/// Rule 13: an alert fires once per crossing and resolves when its condition clears. While open it holds its key, so a
/// second open alert for the same threshold or event cannot exist (a unique index on the key settles any race).
/// </summary>
public sealed class Alert
{
    private Alert(int organizationId, AlertKind kind, string openKey, DateTime raisedAt, string message)
    {
        OrganizationId = organizationId;
        Kind = kind;
        OpenKey = openKey;
        RaisedAt = raisedAt;
        Message = message;
    }

    public long Id { get; private set; }

    public int OrganizationId { get; private set; }

    public AlertKind Kind { get; private set; }

    public string? ProductCode { get; private set; }

    public int? EventId { get; private set; }

    public int? ThresholdId { get; private set; }

    /// <summary>For a pool-low alert: the level in entitlements when it was raised.</summary>
    public long? Level { get; private set; }

    public DateTime RaisedAt { get; private set; }

    public DateTime? ResolvedAt { get; private set; }

    public string Message { get; private set; }

    /// <summary>What the alert is about while it is open (null once resolved, so a new crossing can raise it again).</summary>
    public string? OpenKey { get; private set; }

    public bool IsOpen => ResolvedAt is null;

    public static string PoolKey(int thresholdId) => FormattableString.Invariant($"pool-low:{thresholdId}");

    public static string EventKey(int eventId) => FormattableString.Invariant($"uncovered-soon:{eventId}");

    public static string ProjectionKey(string productCode) => "projected-short:" + productCode;

    public static Alert ProjectedShort(int organizationId, string productName, PoolProjection projection, DateTime now) =>
        new(organizationId, AlertKind.PoolProjectedShort, ProjectionKey(projection.ProductCode), now,
            FormattableString.Invariant($"{productName} is projected short by {projection.ProjectedShortfall:N0} at the start of your live events ")
            + FormattableString.Invariant($"({projection.Available:N0} available, {projection.ProjectedNeed:N0} projected need; short from {projection.ShortFrom:MMM d, yyyy}). A forecast, not a fact."))
        {
            ProductCode = projection.ProductCode,
            Level = projection.ProjectedShortfall,
        };

    public static Alert PoolLow(PoolThreshold threshold, string productName, long purchased, long available, DateTime now)
    {
        var level = threshold.LevelFor(purchased);
        return new Alert(threshold.OrganizationId, AlertKind.PoolLow, PoolKey(threshold.Id), now,
            FormattableString.Invariant($"{productName} is low: {available:N0} available, at or below the level of {level:N0}")
            + (threshold.Kind == ThresholdKind.PercentOfPurchased ? $" ({threshold.Describe()})." : "."))
        {
            ProductCode = threshold.ProductCode,
            ThresholdId = threshold.Id,
            Level = level,
        };
    }

    public static Alert UncoveredSoon(Event e, int days, DateTime now)
    {
        var start = (e.StartsAt - now).TotalDays;
        var when = start < 1 ? "within a day" : FormattableString.Invariant($"in {Math.Ceiling(start):0} days");
        return new Alert(e.OrganizationId, AlertKind.EventUncoveredSoon, EventKey(e.Id), now,
            $"{e.Name} starts {when} and is missing entitlements (warning window: {days} days).")
        {
            EventId = e.Id,
        };
    }

    /// <summary>The condition cleared: the alert is kept, closed, and its key freed for a later crossing.</summary>
    public void Resolve(DateTime now)
    {
        ResolvedAt ??= now;
        OpenKey = null;
    }

    /// <summary>Rule 13 for events: a live event starting within the window that is missing entitlements.</summary>
    public static bool EventNeedsWarning(Event e, DateTime now, int days) =>
        e.IsMissing && e.StatusAt(now) == EventStatus.Live && e.StartsAt <= now.AddDays(days);

    public const int MinWindowDays = 1;

    public const int MaxWindowDays = 365;

    public const int DefaultWindowDays = 14;
}

/// <summary>
/// Rule 13 decided in one place: given what holds now and the alerts open, which alerts are raised and which resolve.
/// Writers of one organization are serialized, so each crossing is decided exactly once; the unique open key is the
/// backstop.
/// </summary>
public static class AlertBook
{
    /// <summary>A pool against its levels: each level now crossed with no open alert raises one; each open alert whose level cleared resolves.</summary>
    public static IReadOnlyList<AlertChanged> SettlePool(IReadOnlyList<PoolThreshold> thresholds, IReadOnlyList<Alert> open, string productName,
        long purchased, long available, DateTime now)
    {
        var changed = new List<AlertChanged>();
        foreach (var threshold in thresholds)
        {
            var alert = open.FirstOrDefault(a => a.ThresholdId == threshold.Id && a.IsOpen);
            var low = threshold.IsLow(purchased, available);
            if (low && alert is null)
            {
                changed.Add(new AlertChanged(Alert.PoolLow(threshold, productName, purchased, available, now)));
            }
            else if (!low && alert is not null)
            {
                alert.Resolve(now);
                changed.Add(new AlertChanged(alert));
            }
        }

        return changed;
    }

    /// <summary>An event against its warning window: raised when needed and none is open, resolved when no longer needed.</summary>
    public static AlertChanged? SettleEvent(Event e, Alert? open, int days, DateTime now)
    {
        var needed = Alert.EventNeedsWarning(e, now, days);
        if (needed && open is null)
        {
            return new AlertChanged(Alert.UncoveredSoon(e, days, now));
        }

        if (!needed && open is not null)
        {
            open.Resolve(now);
            return new AlertChanged(open);
        }

        return null;
    }

    /// <summary>
    /// The organization's pools against their projections: a pool the forecast sees short (beyond today's shortage) with no
    /// open alert raises one; an open alert whose pool no longer is (or has no projection any more) resolves.
    /// </summary>
    public static IReadOnlyList<AlertChanged> SettleProjections(int organizationId, IReadOnlyList<PoolProjection> projections, IReadOnlyList<Alert> open,
        Func<string, string> productName, DateTime now)
    {
        var changed = new List<AlertChanged>();
        foreach (var projection in projections.Where(p => p.GrowsShort && !open.Any(a => a.ProductCode == p.ProductCode && a.IsOpen)))
        {
            changed.Add(new AlertChanged(Alert.ProjectedShort(organizationId, productName(projection.ProductCode), projection, now)));
        }

        foreach (var alert in open.Where(a => a.IsOpen && !projections.Any(p => p.GrowsShort && p.ProductCode == a.ProductCode)))
        {
            alert.Resolve(now);
            changed.Add(new AlertChanged(alert));
        }

        return changed;
    }

    /// <summary>Whether a change of an event's coverage can move its warning at all (covered before and after, or too far ahead: no).</summary>
    public static bool MayMoveWarning(Event e, bool wasMissing, DateTime now) =>
        (e.IsMissing || wasMissing) && !(e.IsMissing && e.StartsAt > now.AddDays(Alert.MaxWindowDays));

    /// <summary>The open alerts of levels that no longer exist resolve.</summary>
    public static IReadOnlyList<AlertChanged> ResolveAll(IEnumerable<Alert> open, DateTime now) =>
        open.Select(a =>
        {
            a.Resolve(now);
            return new AlertChanged(a);
        }).ToList();
}
