namespace EntitlementsLive.Domain;

/// <summary>One participant change as a forecast reads it: who, what, and when it occurred.</summary>
public readonly record struct CountedChange(string Reference, ParticipantChangeType Type, DateTime OccurredAt);

/// <summary>
/// How an event's counted participants grew: the count after each change, in the order the changes occurred, replayed
/// through the participant's own rule (rule 1, last writer wins by occurrence), so the curve ends where the counters are.
/// </summary>
public sealed class CountCurve
{
    private readonly DateTime[] _at;
    private readonly int[] _counted;

    private CountCurve(DateTime startsAt, DateTime[] at, int[] counted)
    {
        StartsAt = startsAt;
        _at = at;
        _counted = counted;
    }

    public DateTime StartsAt { get; }

    public DateTime? FirstChange => _at.Length == 0 ? null : _at[0];

    /// <summary>The counted participants at <paramref name="instant"/> (0 before the first change).</summary>
    public int At(DateTime instant)
    {
        var i = Array.BinarySearch(_at, instant);
        if (i < 0)
        {
            i = ~i - 1;
        }
        else
        {
            // Several changes at the same instant: the last of them.
            while (i + 1 < _at.Length && _at[i + 1] == instant)
            {
                i++;
            }
        }

        return i < 0 ? 0 : _counted[i];
    }

    /// <summary>What the event counted when it started: what a forecast of it aims at.</summary>
    public int AtStart => At(StartsAt);

    public static CountCurve Replay(DateTime startsAt, IEnumerable<CountedChange> changes)
    {
        var participants = new Dictionary<string, Participant>(StringComparer.Ordinal);
        var at = new List<DateTime>();
        var counted = new List<int>();
        var count = 0;
        foreach (var change in changes.OrderBy(c => c.OccurredAt))
        {
            if (!participants.TryGetValue(change.Reference, out var participant))
            {
                participants[change.Reference] = participant = new Participant(0, change.Reference);
            }

            count += participant.Apply(change.Type, change.OccurredAt).Counted;
            at.Add(change.OccurredAt);
            counted.Add(count);
        }

        return new CountCurve(startsAt, [.. at], [.. counted]);
    }
}

public enum ForecastMethod
{
    /// <summary>This event's count now divided by the share of their count at start past events had reached as long before.</summary>
    Multiplicative,

    /// <summary>This event's count now plus what past events still gained from as long before their start.</summary>
    Additive,
}

/// <summary>A pool against the projected need of the live events (rule 14): what it lacks, and from which event's start.</summary>
public sealed record PoolProjection(string ProductCode, long Available, long ProjectedNeed, long ProjectedShortfall, DateTime? ShortFrom, long ShortfallNow)
{
    public bool IsShort => ProjectedShortfall > 0;

    /// <summary>
    /// The forecast sees a shortage today's figures do not (or a larger one): what the projected-short alert tells. A pool
    /// already short of what the live events miss today is the red window's news, not a forecast's.
    /// </summary>
    public bool GrowsShort => ProjectedShortfall > ShortfallNow;
}

/// <summary>Where an event is heading at its start: a number with its range and the basis it was made on, or no number and why.</summary>
public sealed record EventForecast(long CountedNow, long? Projected, long? Low, long? High, string Basis)
{
    public bool HasNumber => Projected is not null;
}

/// <summary>
/// Rule 14: forecasts of the counted participants at an event's start, estimates with a range and a basis, never facts.
/// With enough of the organization's past events, a pickup method (classic in revenue management): how much of their
/// count at start past events had reached as long before their start as this event is now, applied to this event's count,
/// multiplicatively or additively — whichever predicts the past events better when each is left out in turn — with a range
/// from the spread of the past events. Otherwise this event's own recent growth, damped. With too little history, no number.
/// </summary>
public static class Forecasting
{
    /// <summary>Fewer past events than this make no pickup curve.</summary>
    public const int MinPastEvents = 3;

    /// <summary>Past events that counted fewer at start say little about a curve.</summary>
    public const int MinCountAtStart = 5;

    /// <summary>The growth of the last this many days is what the damped method extends.</summary>
    public const int GrowthWindowDays = 14;

    /// <summary>An event with a shorter history of its own gets no damped number.</summary>
    public const int MinOwnHistoryDays = 3;

    /// <summary>Each day ahead grows by this share of the day before it (a damped trend: it levels off instead of running away).</summary>
    public const double Damping = 0.9;

    public const string NotEnoughHistory = "not enough history yet";

    /// <summary>Whether the pickup method applies to an event starting at <paramref name="startsAt"/> (else its own history is needed).</summary>
    public static bool UsesPickup(IReadOnlyList<CountCurve> past, DateTime startsAt, DateTime now) =>
        startsAt <= now || Pickups(past, startsAt - now).Count >= MinPastEvents;

    /// <summary>The forecast of one event; <paramref name="own"/> (its own history) is needed only when <see cref="UsesPickup"/> says no.</summary>
    public static EventForecast Project(long countedNow, DateTime startsAt, DateTime now, IReadOnlyList<CountCurve> past, CountCurve? own)
    {
        if (startsAt <= now)
        {
            return new EventForecast(countedNow, countedNow, countedNow, countedNow, "started: the count now");
        }

        // No registration yet is no history: neither method can tell this event's size from nothing.
        if (countedNow <= 0)
        {
            return new EventForecast(countedNow, null, null, null, NotEnoughHistory);
        }

        var lead = startsAt - now;
        var pickup = Pickups(past, lead);
        if (pickup.Count >= MinPastEvents)
        {
            var method = Better(pickup);
            var each = pickup.Select(p => Apply(method, countedNow, [p])).Where(double.IsFinite).Order().ToList();
            var projected = Apply(method, countedNow, pickup);
            if (double.IsFinite(projected) && each.Count > 0)
            {
                return Number(countedNow, projected, Quantile(each, 0.1), Quantile(each, 0.9),
                    FormattableString.Invariant($"pickup from {pickup.Count} past events ({(method == ForecastMethod.Multiplicative ? "multiplicative" : "additive")})"));
            }
        }

        if (own?.FirstChange is not { } first || (now - first).TotalDays < MinOwnHistoryDays)
        {
            return new EventForecast(countedNow, null, null, null, NotEnoughHistory);
        }

        var window = Math.Min(GrowthWindowDays, (now - first).TotalDays);
        var perDay = (countedNow - own.At(now.AddDays(-window))) / window;
        var days = lead.TotalDays;
        var gain = perDay * Damping * (1 - Math.Pow(Damping, days)) / (1 - Damping);
        return Number(countedNow, countedNow + gain, countedNow + (gain * 0.5), countedNow + (gain * 1.5),
            FormattableString.Invariant($"recent growth, damped (the last {Math.Round(window):0} days)"));
    }

    /// <summary>
    /// What an event will miss at its start by the forecast: subscriptions for the projected count (rules 2, 3 and 11; today's
    /// count when there is no number), modules as today (they do not follow the count).
    /// </summary>
    public static IReadOnlyList<PlanShortfall> MissingAtStart(Event e, EventForecast forecast) =>
        e.Products
            .Select(p => new PlanShortfall(p.ProductCode, p.ProductCode == ProductCodes.Subscription && e.RequiresEntitlements
                ? Math.Max(0, (forecast.Projected ?? forecast.CountedNow) - p.Allocated)
                : p.Missing))
            .Where(m => m.Missing > 0)
            .ToList();

    /// <summary>
    /// Each pool against what the live events are projected to miss at their start, walked in start order: the projected
    /// shortfall, and the start of the first event at which the pool would run short (null when it covers them all).
    /// </summary>
    public static IReadOnlyList<PoolProjection> Pools(IEnumerable<(DateTime StartsAt, IReadOnlyList<PlanShortfall> Missing, IReadOnlyList<PlanShortfall> MissingNow)> events,
        IReadOnlyDictionary<string, long> available)
    {
        var need = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var needNow = new Dictionary<string, long>(StringComparer.Ordinal);
        var shortFrom = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var (startsAt, missing, missingNow) in events.OrderBy(e => e.StartsAt))
        {
            foreach (var m in missingNow)
            {
                needNow[m.ProductCode] = needNow.GetValueOrDefault(m.ProductCode) + m.Missing;
            }

            foreach (var m in missing)
            {
                need[m.ProductCode] = need.GetValueOrDefault(m.ProductCode) + m.Missing;
                if (need[m.ProductCode] > available.GetValueOrDefault(m.ProductCode) && !shortFrom.ContainsKey(m.ProductCode))
                {
                    shortFrom[m.ProductCode] = startsAt;
                }
            }
        }

        foreach (var code in available.Keys.Where(c => !need.ContainsKey(c)))
        {
            need[code] = 0;
        }

        return need.Select(n =>
        {
            var pool = available.GetValueOrDefault(n.Key);
            return new PoolProjection(n.Key, pool, n.Value, Math.Max(0, n.Value - pool), shortFrom.TryGetValue(n.Key, out var at) ? at : null,
                Math.Max(0, needNow.GetValueOrDefault(n.Key) - pool));
        }).ToList();
    }

    /// <summary>A past event as seen <c>lead</c> before its start: what it had reached then, and what it counted at start.</summary>
    public readonly record struct Pickup(int Reached, int AtStart)
    {
        public double Share => (double)Reached / AtStart;

        public int Gain => AtStart - Reached;
    }

    public static IReadOnlyList<Pickup> Pickups(IEnumerable<CountCurve> past, TimeSpan lead) =>
        past.Where(c => c.AtStart >= MinCountAtStart).Select(c => new Pickup(c.At(c.StartsAt - lead), c.AtStart)).ToList();

    /// <summary>The count at start the method predicts from <paramref name="reached"/>, learning from <paramref name="from"/>.</summary>
    public static double Apply(ForecastMethod method, double reached, IReadOnlyCollection<Pickup> from)
    {
        if (method == ForecastMethod.Additive)
        {
            return reached + from.Average(p => p.Gain);
        }

        var share = from.Average(p => p.Share);
        return share > 0 ? reached / share : double.PositiveInfinity;
    }

    /// <summary>
    /// The mean absolute percentage error of a method over past events, each predicted from the others as it stood then
    /// (leave one out). Infinite when the method cannot predict one of them.
    /// </summary>
    public static double Backtest(ForecastMethod method, IReadOnlyList<Pickup> pickups)
    {
        if (pickups.Count < 2)
        {
            return double.PositiveInfinity;
        }

        var errors = pickups.Select((p, i) =>
        {
            var others = pickups.Where((_, j) => j != i).ToList();
            var predicted = Apply(method, p.Reached, others);
            return Math.Abs(predicted - p.AtStart) / p.AtStart;
        }).ToList();
        return errors.Average();
    }

    private static ForecastMethod Better(IReadOnlyList<Pickup> pickup) =>
        Backtest(ForecastMethod.Multiplicative, pickup) <= Backtest(ForecastMethod.Additive, pickup) ? ForecastMethod.Multiplicative : ForecastMethod.Additive;

    private static EventForecast Number(long countedNow, double projected, double low, double high, string basis)
    {
        static long Round(double v) => (long)Math.Round(Math.Max(0, v), MidpointRounding.AwayFromZero);
        var (p, l, h) = (Round(projected), Round(Math.Min(low, high)), Round(Math.Max(low, high)));
        return new EventForecast(countedNow, p, Math.Min(l, p), Math.Max(h, p), basis);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var below = (int)Math.Floor(position);
        var above = Math.Min(sorted.Count - 1, below + 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }
}
