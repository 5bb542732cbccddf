namespace EntitlementsLive.Domain;

/// <summary>What one event misses of one product, with what decides its place in a plan.</summary>
public sealed record CoverageNeed(int EventId, string EventName, DateTime StartsAt, bool Live, string ProductCode, ProductKind Kind, long Missing);

/// <summary>One transfer a plan proposes, with what its pool keeps after it and the transfers before it.</summary>
public sealed record PlannedTransfer(int EventId, string EventName, string ProductCode, long Quantity, long PoolAfter);

/// <summary>What a plan cannot cover of one product.</summary>
public sealed record PlanShortfall(string ProductCode, long Missing);

/// <summary>A pool as the plan would leave it.</summary>
public sealed record PoolAfterPlan(string ProductCode, long Available);

/// <summary>
/// Many transfers decided at once (rules 3, 4 and 6 across events): live events before past ones, soonest start first,
/// each product's need met from its pool until the pool runs out. A subscription need is met in part when the pool holds
/// less than it; a module is one or nothing. What no pool covers is the shortfall. Pure: the same needs and pools always
/// give the same plan, which is how a plan is found stale when it is executed (see <see cref="SameAs"/>).
/// </summary>
public sealed record CoveragePlan(IReadOnlyList<PlannedTransfer> Items, IReadOnlyList<PlanShortfall> Shortfall, IReadOnlyList<PoolAfterPlan> PoolsAfter)
{
    public static CoveragePlan Make(IEnumerable<CoverageNeed> needs, IReadOnlyDictionary<string, long> available)
    {
        var left = new Dictionary<string, long>(StringComparer.Ordinal);
        var shortfall = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var items = new List<PlannedTransfer>();
        foreach (var need in needs.Where(n => n.Missing > 0).OrderBy(n => n.Live ? 0 : 1).ThenBy(n => n.StartsAt).ThenBy(n => n.EventId)
                     .ThenBy(n => n.Kind).ThenBy(n => n.ProductCode, StringComparer.Ordinal))
        {
            var pool = left.TryGetValue(need.ProductCode, out var l) ? l : Math.Max(0, available.GetValueOrDefault(need.ProductCode));
            var quantity = need.Kind == ProductKind.Module
                ? (Pool.CanCover(pool, 1) ? 1 : 0)
                : Math.Min(need.Missing, pool);
            if (quantity > 0)
            {
                items.Add(new PlannedTransfer(need.EventId, need.EventName, need.ProductCode, quantity, pool - quantity));
            }

            left[need.ProductCode] = pool - quantity;
            if (need.Missing > quantity)
            {
                shortfall[need.ProductCode] = shortfall.GetValueOrDefault(need.ProductCode) + need.Missing - quantity;
            }
        }

        return new CoveragePlan(items,
            shortfall.Select(s => new PlanShortfall(s.Key, s.Value)).ToList(),
            left.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PoolAfterPlan(p.Key, p.Value)).ToList());
    }

    /// <summary>
    /// Whether executing <paramref name="now"/> (the plan made again from today's figures) would do exactly what this plan
    /// showed: the same transfers, the same shortfall, the same pools after. Anything else means a pool or an event it
    /// depends on changed, and the administrator confirms the new plan instead.
    /// </summary>
    public bool SameAs(CoveragePlan now) =>
        Items.SequenceEqual(now.Items) && Shortfall.SequenceEqual(now.Shortfall) && PoolsAfter.SequenceEqual(now.PoolsAfter);

    public static DomainException AlreadyExecuted() =>
        new(ErrorCodes.PlanStale, "This plan was executed already. Nothing more was transferred: make a new plan for what is still missing.");

    public static DomainException Stale() =>
        new(ErrorCodes.PlanStale, "A pool or an event this plan depends on changed since it was made. Nothing was transferred: review the plan again.");
}
