using System.Diagnostics;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Plans;

namespace EntitlementsLive.Bench;

/// <summary>
/// "Cover all missing" at size: a plan over many red events (subscriptions and a module on every third), made and then
/// executed as one change of the organization. A pool covers most of the need, so the plan has a shortfall too.
/// Each round has an organization of its own (an executed plan leaves nothing to plan again).
/// </summary>
public static class PlansScenario
{
    public static async Task Run(BenchOptions o, Report report, string workDir)
    {
        var events = o.Quick ? 200 : 1_000;
        var rounds = o.Quick ? 1 : 3;
        await using var app = await InProcess.CreateAsync(Path.Combine(workDir, "plans.db"));
        var planMs = new List<double>();
        var executeMs = new List<double>();
        var transfers = 0;
        for (var round = 0; round < rounds; round++)
        {
            var (org, need) = await RedOrganization(app, round, events);
            var clock = Stopwatch.StartNew();
            var plan = await app.With<MakeCoveragePlan, CoveragePlanDto>(h => h.Handle(org, new CoveragePlanRequest(PlanScope.All, null, null), "bench", CancellationToken.None));
            planMs.Add(clock.Elapsed.TotalMilliseconds);
            if (plan.EventCount < events * 8 / 10 || plan.Shortfall.Count == 0)
            {
                throw new InvalidOperationException($"the plan covers {plan.EventCount} of {events} events (need {need}); expected most, with a shortfall");
            }

            clock.Restart();
            var done = await app.With<ExecuteCoveragePlan, PlanExecution>(h => h.Handle(org, plan.PlanId, new ExecutePlanRequest(Guid.NewGuid().ToString("N")), "bench", CancellationToken.None));
            executeMs.Add(clock.Elapsed.TotalMilliseconds);
            transfers = done.Transactions.Count;
        }

        var provider = BenchDatabase.IsPostgreSql ? "PostgreSQL" : "SQLite";
        report.Add("plans", FormattableString.Invariant($"plan over {events:N0} red events ({provider}), median of {rounds}"), Median(planMs), "ms");
        report.Add("plans", FormattableString.Invariant($"execute it: {transfers:N0} final transfers in one change ({provider}), median of {rounds}"), Median(executeMs), "ms");
        report.Add("plans", FormattableString.Invariant($"per transfer inside the plan ({provider})"), Median(executeMs) * 1000 / Math.Max(1, transfers), "µs");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>An organization whose events all miss subscriptions (every third a module too), with pools for about 85 % of it.</summary>
    private static async Task<(int Org, long Need)> RedOrganization(InProcess app, int round, int count)
    {
        static int Counted(int i) => 20 + (i % 50);
        var need = Enumerable.Range(1, count).Sum(i => (long)Counted(i));
        var org = await app.Organization($"Plans org {round}", need * 85 / 100);
        await app.Purchase(org, ProductCodes.LeadRetrieval, count / 3 * 85 / 100);
        await app.Db(async db =>
        {
            db.Events.AddRange(Enumerable.Range(1, count).Select(i =>
            {
                var e = new Event(org, $"Plan event {round}-{i}", Clock.UtcNow.AddDays(1 + (i % 90)), Clock.UtcNow.AddDays(2 + (i % 90)));
                if (i % 3 == 0)
                {
                    e.UseModule(ProductCodes.LeadRetrieval);
                }

                e.ApplyCounters(new CounterDelta(Counted(i), 0));
                return e;
            }));
            return await db.SaveChangesAsync();
        });
        return (org, need);
    }
}
