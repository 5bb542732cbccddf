using EntitlementsLive.Domain;

namespace EntitlementsLive.Domain.Tests;

/// <summary>Coverage plans across events: the order, the partial cover, modules, the shortfall, staleness.</summary>
public class CoveragePlanRulesTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    private static CoverageNeed Need(int id, int inDays, long missing, bool live = true, string product = ProductCodes.Subscription) =>
        new(id, "E" + id, Now.AddDays(inDays), live, product, product == ProductCodes.Subscription ? ProductKind.Subscription : ProductKind.Module, missing);

    [Fact]
    public void LiveBeforePast_SoonestFirst_APartialCoverForTheLastOne_AndTheRestIsTheShortfall()
    {
        var plan = CoveragePlan.Make([Need(1, 9, 10), Need(2, 3, 10), Need(3, -30, 10, live: false), Need(4, 5, 10)],
            new Dictionary<string, long> { [ProductCodes.Subscription] = 25 });

        Assert.Equal([(2, 10L, 15L), (4, 10L, 5L), (1, 5L, 0L)], plan.Items.Select(i => (i.EventId, i.Quantity, i.PoolAfter)));
        Assert.Equal([new PlanShortfall(ProductCodes.Subscription, 15)], plan.Shortfall);
        Assert.Equal([new PoolAfterPlan(ProductCodes.Subscription, 0)], plan.PoolsAfter);
    }

    [Fact]
    public void AModuleIsOneOrNothing_AndAProductWithoutAPoolIsAllShortfall()
    {
        var plan = CoveragePlan.Make([Need(1, 1, 1, product: ProductCodes.LeadRetrieval), Need(2, 2, 1, product: ProductCodes.LeadRetrieval), Need(3, 3, 1, product: ProductCodes.Gamification)],
            new Dictionary<string, long> { [ProductCodes.LeadRetrieval] = 1 });

        Assert.Equal([(1, ProductCodes.LeadRetrieval, 1L)], plan.Items.Select(i => (i.EventId, i.ProductCode, i.Quantity)));
        Assert.Equal([new PlanShortfall(ProductCodes.Gamification, 1), new PlanShortfall(ProductCodes.LeadRetrieval, 1)], plan.Shortfall);
    }

    [Fact]
    public void APlan_IsStale_WhenTheFiguresItWasMadeFromMoved()
    {
        var needs = new[] { Need(1, 3, 10), Need(2, 4, 10) };
        var made = CoveragePlan.Make(needs, new Dictionary<string, long> { [ProductCodes.Subscription] = 30 });

        Assert.True(made.SameAs(CoveragePlan.Make(needs, new Dictionary<string, long> { [ProductCodes.Subscription] = 30 })));
        Assert.False(made.SameAs(CoveragePlan.Make(needs, new Dictionary<string, long> { [ProductCodes.Subscription] = 29 })));
        Assert.False(made.SameAs(CoveragePlan.Make([Need(1, 3, 10), Need(2, 4, 9)], new Dictionary<string, long> { [ProductCodes.Subscription] = 30 })));
    }
}

/// <summary>Rule 14: curves replayed through the participant rule, pickup and its backtest, damped growth, no number.</summary>
public class ForecastRulesTests
{
    private static readonly DateTime Start = new(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>An event of <paramref name="final"/> at its start, reaching half of it 20 days before and all of it 5 days before.</summary>
    private static CountCurve Past(int final, int monthsAgo)
    {
        var start = Start.AddMonths(-monthsAgo);
        var half = final / 2;
        var changes = Enumerable.Range(0, final).Select(i => new CountedChange("p" + i, ParticipantChangeType.Added,
            i < half ? start.AddDays(-40).AddHours(i) : start.AddDays(-19).AddHours(i))).ToList();
        return CountCurve.Replay(start, changes);
    }

    [Fact]
    public void ACurve_FollowsTheParticipantRule_ACancelledParticipantWhoActivatedStillCounts()
    {
        var t = Start.AddDays(-10);
        var curve = CountCurve.Replay(Start,
        [
            new("a", ParticipantChangeType.Added, t),
            new("b", ParticipantChangeType.Added, t.AddHours(1)),
            new("b", ParticipantChangeType.Cancelled, t.AddHours(2)),
            new("a", ParticipantChangeType.Activated, t.AddHours(3)),
            new("a", ParticipantChangeType.Cancelled, t.AddHours(4)),
        ]);

        Assert.Equal(0, curve.At(t.AddMinutes(-1)));
        Assert.Equal(2, curve.At(t.AddHours(1)));
        Assert.Equal(1, curve.At(t.AddHours(2)));
        Assert.Equal(1, curve.AtStart);
    }

    [Fact]
    public void Pickup_AppliesThePastShareToTheCountNow_WithARange()
    {
        IReadOnlyList<CountCurve> past = [Past(100, 3), Past(60, 6), Past(80, 9)];
        var forecast = Forecasting.Project(50, Start, Start.AddDays(-20), past, own: null);

        Assert.Equal(100, forecast.Projected);
        Assert.StartsWith("pickup from 3 past events", forecast.Basis, StringComparison.Ordinal);
        Assert.True(forecast.Low <= forecast.Projected && forecast.Projected <= forecast.High);
        Assert.Equal(0, Forecasting.Backtest(ForecastMethod.Multiplicative, Forecasting.Pickups(past, TimeSpan.FromDays(20))), 6);
    }

    [Fact]
    public void WithoutEnoughPastEvents_OwnGrowthIsDamped_AndWithoutHistoryThereIsNoNumber()
    {
        var now = Start.AddDays(-30);
        var own = CountCurve.Replay(Start, Enumerable.Range(0, 140).Select(i => new CountedChange("p" + i, ParticipantChangeType.Added, now.AddDays(-14).AddHours(i * 2.4))));
        var damped = Forecasting.Project(140, Start, now, [Past(100, 3)], own);

        Assert.StartsWith("recent growth, damped", damped.Basis, StringComparison.Ordinal);
        Assert.InRange(damped.Projected!.Value, 220, 230); // 10 a day, at most about 9 days' worth more

        var none = Forecasting.Project(3, Start, now, [], CountCurve.Replay(Start, [new("p", ParticipantChangeType.Added, now.AddHours(-5))]));
        Assert.Null(none.Projected);
        Assert.Equal(Forecasting.NotEnoughHistory, none.Basis);
        Assert.Null(Forecasting.Project(0, Start, now, [Past(100, 3), Past(60, 6), Past(80, 9)], own: null).Projected);
    }

    [Fact]
    public void APool_IsShortFromTheFirstStartItCannotCover()
    {
        var pools = Forecasting.Pools(
        [
            (Start.AddDays(2), [new PlanShortfall(ProductCodes.Subscription, 30)], [new PlanShortfall(ProductCodes.Subscription, 20)]),
            (Start, [new PlanShortfall(ProductCodes.Subscription, 40)], [new PlanShortfall(ProductCodes.Subscription, 40)]),
            (Start.AddDays(5), [new PlanShortfall(ProductCodes.Subscription, 10)], []),
        ], new Dictionary<string, long> { [ProductCodes.Subscription] = 60, [ProductCodes.Gamification] = 1 });

        var subscriptions = pools.Single(p => p.ProductCode == ProductCodes.Subscription);
        Assert.Equal((80L, 20L, Start.AddDays(2)), (subscriptions.ProjectedNeed, subscriptions.ProjectedShortfall, subscriptions.ShortFrom!.Value));

        // Today the events miss 60, which the pool covers: the shortage is the forecast's news.
        Assert.Equal(0, subscriptions.ShortfallNow);
        Assert.True(subscriptions.GrowsShort);
        Assert.False(pools.Single(p => p.ProductCode == ProductCodes.Gamification).IsShort);
    }
}
