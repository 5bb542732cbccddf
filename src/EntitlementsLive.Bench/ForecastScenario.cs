using EntitlementsLive.Domain;
using EntitlementsLive.Web.Demo;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Bench;

/// <summary>
/// The forecast's backtest on the demo data: each of an organization's past events is cut at 30, 14 and 7 days before its
/// start and forecast from the others (pickup, both ways) or from its own history up to the cut (damped growth); the mean
/// absolute percentage error against what it counted at start is printed per method.
/// </summary>
public static class ForecastScenario
{
    private static readonly int[] Leads = [30, 14, 7];

    public static async Task Run(Report report, string workDir)
    {
        await using var app = await InProcess.CreateAsync(Path.Combine(workDir, "forecast.db"));
        await app.With<DemoSeeder, int>(async seeder =>
        {
            await seeder.SeedAsync(CancellationToken.None);
            return 0;
        });

        var now = Clock.UtcNow;
        var byOrganization = await app.Db(async db =>
        {
            var past = await db.Events.AsNoTracking().Where(Event.PastAt(now)).ToListAsync();
            var ids = past.Select(e => e.Id).ToList();
            var changes = (await db.AppliedChanges.AsNoTracking().Where(c => ids.Contains(c.EventId) && c.Type != null && c.OccurredAt != null && c.ParticipantRef != null)
                .Select(c => new { c.EventId, c.ParticipantRef, c.Type, c.OccurredAt }).ToListAsync()).ToLookup(c => c.EventId);
            return past.GroupBy(e => e.OrganizationId).ToDictionary(g => g.Key, g => g
                .Select(e => CountCurve.Replay(e.StartsAt, changes[e.Id].Select(c => new CountedChange(c.ParticipantRef!, c.Type!.Value, c.OccurredAt!.Value))))
                .Where(c => c.AtStart >= Forecasting.MinCountAtStart).ToList());
        });

        // The organization with the most history (the demo's Acme, with 6 past events).
        var curves = byOrganization.Values.MaxBy(c => c.Count)!;
        foreach (var lead in Leads)
        {
            var pickups = Forecasting.Pickups(curves, TimeSpan.FromDays(lead));
            var damped = curves.Select(c =>
            {
                var cut = c.StartsAt.AddDays(-lead);
                var forecast = Forecasting.Project(c.At(cut), c.StartsAt, cut, [], c);
                return forecast.Projected is { } p ? Math.Abs(p - c.AtStart) / (double)c.AtStart : double.NaN;
            }).Where(double.IsFinite).ToList();
            report.Add("forecast", FormattableString.Invariant($"MAPE {lead} days before start, pickup multiplicative ({curves.Count} past events)"), Forecasting.Backtest(ForecastMethod.Multiplicative, pickups) * 100, "%");
            report.Add("forecast", FormattableString.Invariant($"MAPE {lead} days before start, pickup additive ({curves.Count} past events)"), Forecasting.Backtest(ForecastMethod.Additive, pickups) * 100, "%");
            report.Add("forecast", FormattableString.Invariant($"MAPE {lead} days before start, recent growth damped ({damped.Count} events)"), damped.Count == 0 ? double.NaN : damped.Average() * 100, "%");
        }
    }
}
