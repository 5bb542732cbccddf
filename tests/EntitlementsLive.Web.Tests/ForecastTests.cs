using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;

namespace EntitlementsLive.Web.Tests;

/// <summary>Rule 14: forecasts from the organization's own past curves, with a range and a basis, or none when history is too short.</summary>
[Collection(AppCollection.Name)]
public class ForecastTests(AppFactory app)
{
    /// <summary>The share of its count at start an event had reached <paramref name="daysBefore"/> days before it (registrations open 60 days ahead).</summary>
    private static double Curve(double daysBefore) => Math.Pow(1 - (Math.Clamp(daysBefore, 0, 60) / 60), 2);

    [Fact]
    public async Task AnEventFollowingThePastCurves_IsForecastWithinTenPercentOfItsCountAtStart_AndItsPoolIsSeenShort()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 100);
        var now = DateTime.UtcNow;
        var random = new Random(7);
        foreach (var (final, ago) in new[] { (60, 400), (90, 330), (120, 250), (75, 180), (100, 120) })
        {
            await EventWithHistory(orgId, $"Past {ago}", now.AddDays(-ago), final, now, random);
        }

        var live = await EventWithHistory(orgId, "Heading for 150", now.AddDays(20), 150, now, random);
        var answer = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/forecast");
        var forecast = answer.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("eventId").GetInt32() == live);

        var projected = forecast.GetProperty("projectedCountedAtStart").GetInt64();
        Assert.InRange(projected, 135, 165);
        Assert.StartsWith("pickup from 5 past events", forecast.GetProperty("basis").GetString(), StringComparison.Ordinal);
        Assert.InRange(forecast.GetProperty("countedNow").GetInt64(), 60, 75); // 150 × (40/60)²
        Assert.True(forecast.GetProperty("low").GetInt64() <= projected && projected <= forecast.GetProperty("high").GetInt64());
        var missing = forecast.GetProperty("projectedMissingAtStart").EnumerateArray().Single(m => m.GetProperty("productCode").GetString() == ProductCodes.Subscription);
        Assert.Equal(projected, missing.GetProperty("missing").GetInt64());

        // 100 in the pool against a projected need of about 150: short, from this event's start.
        var pool = answer.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("productCode").GetString() == ProductCodes.Subscription);
        Assert.Equal(projected, pool.GetProperty("projectedNeed").GetInt64());
        Assert.Equal(projected - 100, pool.GetProperty("projectedShortfall").GetInt64());
        Assert.Equal(now.AddDays(20), pool.GetProperty("shortFrom").GetDateTime(), TimeSpan.FromSeconds(1));

        // The account manager's list names the organization and the pool.
        using var ops = await app.ApiAs("ops@platform.test");
        var list = await ops.GetFromJsonAsync<JsonElement>("/api/ops/forecast");
        var org = list.EnumerateArray().Single(o => o.GetProperty("organizationId").GetInt32() == orgId);
        Assert.Equal(ProductCodes.Subscription, org.GetProperty("pools")[0].GetProperty("productCode").GetString());
    }

    [Fact]
    public async Task ThePages_SayWhichEventIsLikelyShort_WhichPoolRunsShortFromWhen_AndOpsSeeTheOrganization()
    {
        var (pages, orgId, _) = await app.PagesAdminOf(subscriptions: 40, participants: 0);
        var now = DateTime.UtcNow;
        var random = new Random(11);
        foreach (var (final, ago) in new[] { (50, 300), (80, 200), (65, 100) })
        {
            await EventWithHistory(orgId, $"Past {ago}", now.AddDays(-ago), final, now, random);
        }

        var live = await EventWithHistory(orgId, "Growing event", now.AddDays(30), 120, now, random);
        var events = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements/Events");
        Assert.Matches($"data-forecast-event=\"{live}\"[^>]*>likely short by \\d+ at start<", events);
        Assert.Contains("basis: pickup from 3 past events", events, StringComparison.Ordinal);

        var pools = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements");
        Assert.Matches("data-forecast-pool=\"SUBSCRIPTION\">projected short by \\d+ at start &#xB7; buy before \\d{1,2} \\w{3} \\d{4}<", pools);

        using var ops = await app.PagesAs("ops@platform.test");
        Assert.Contains($"data-shortfall-org=\"{orgId}\"", await ops.GetStringAsync("/Ops"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APoolProjectedShort_RaisesOneAlert_AndAPurchaseThatCoversTheProjectionResolvesIt()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 60);
        var now = DateTime.UtcNow;
        var random = new Random(3);
        foreach (var (final, ago) in new[] { (50, 300), (80, 200), (65, 100) })
        {
            await EventWithHistory(orgId, $"Past {ago}", now.AddDays(-ago), final, now, random);
        }

        await EventWithHistory(orgId, "Heading for 120", now.AddDays(25), 120, now, random);

        // The minutely job sweeps every organization too, and may be the one that raises it: once, whoever does.
        Assert.InRange(await Sweep(orgId), 0, 1);
        Assert.Equal(0, await Sweep(orgId));

        var alerts = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/alerts?state=open");
        var alert = alerts.EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "pool-projected-short");
        Assert.Equal(ProductCodes.Subscription, alert.GetProperty("productCode").GetString());
        Assert.Contains("projected short by", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
        var pool = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/forecast")).GetProperty("pools").EnumerateArray()
            .Single(p => p.GetProperty("productCode").GetString() == ProductCodes.Subscription);

        // Enough for the projected need: the alert resolves (once), and none is open.
        await app.Purchase(orgId, ProductCodes.Subscription, pool.GetProperty("projectedShortfall").GetInt64());
        Assert.InRange(await Sweep(orgId), 0, 1);
        Assert.Equal(0, await Sweep(orgId));
        var all = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/alerts?state=all");
        var resolved = all.EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "pool-projected-short");
        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
    }

    private Task<int> Sweep(int orgId) =>
        app.With<Web.Features.Forecasts.SweepProjectedShortfalls, int>(s => s.ForOrganization(orgId, CancellationToken.None));

    [Fact]
    public async Task AnEventWithoutHistory_SaysSoInsteadOfANumber()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new ParticipantChange("c1", "p1", ParticipantChangeType.Added, DateTime.UtcNow.AddHours(-2))], CancellationToken.None));

        var answer = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/forecast");
        var forecast = answer.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("eventId").GetInt32() == eventId);
        Assert.Equal(JsonValueKind.Null, forecast.GetProperty("projectedCountedAtStart").ValueKind);
        Assert.Equal(JsonValueKind.Null, forecast.GetProperty("low").ValueKind);
        Assert.Equal(JsonValueKind.Null, forecast.GetProperty("high").ValueKind);
        Assert.Equal(Forecasting.NotEnoughHistory, forecast.GetProperty("basis").GetString());
        Assert.Equal(1, forecast.GetProperty("countedNow").GetInt64());
    }

    [Fact]
    public async Task WithFewPastEvents_TheEventsOwnGrowthIsDamped()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1_000);
        var now = DateTime.UtcNow;

        // Ten registrations a day for the last 20 days, 30 days before the start.
        var eventId = await app.WithDb(async db =>
        {
            var e = new Event(orgId, "Growing", now.AddDays(30), now.AddDays(31));
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
        var changes = Enumerable.Range(0, 200).Select(i => new ParticipantChange($"g{i}", $"p{i}", ParticipantChangeType.Added, now.AddDays(-20).AddHours(i * 2.4))).ToList();
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId, changes, CancellationToken.None));

        var forecast = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/forecast")).GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("eventId").GetInt32() == eventId);
        Assert.StartsWith("recent growth, damped", forecast.GetProperty("basis").GetString(), StringComparison.Ordinal);

        // Ten a day, damped by 0.9 a day: at most 9 days' worth more (about 290), never the straight 30 days (500).
        Assert.InRange(forecast.GetProperty("projectedCountedAtStart").GetInt64(), 270, 300);
    }

    [Fact]
    public async Task TheForecast_IsTheAdministratorsNotTheEventTeams()
    {
        var (_, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        using var team = await app.ApiAs(await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        Assert.Equal(HttpStatusCode.Forbidden, (await team.GetAsync($"/api/orgs/{orgId}/forecast")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await team.GetAsync("/api/ops/forecast")).StatusCode);
    }

    /// <summary>An event of <paramref name="final"/> participants at its start, registered along <see cref="Curve"/> (up to now for a live one).</summary>
    private async Task<int> EventWithHistory(int orgId, string name, DateTime startsAt, int final, DateTime now, Random random)
    {
        var eventId = await app.WithDb(async db =>
        {
            var e = new Event(orgId, name, startsAt, startsAt.AddDays(1));
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
        var changes = new List<ParticipantChange>();
        for (var i = 0; i < final; i++)
        {
            // The inverse of the curve, with a little noise: the i-th registration of the final count.
            var share = Math.Clamp((i + 0.5 + ((random.NextDouble() - 0.5) * 0.6)) / final, 0.001, 0.999);
            var at = startsAt.AddDays(-60 * (1 - Math.Sqrt(share)));
            if (at < now)
            {
                changes.Add(new ParticipantChange($"h{eventId}-{i}", $"p{i}", ParticipantChangeType.Added, at));
            }
        }

        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId, changes, CancellationToken.None));
        return eventId;
    }
}
