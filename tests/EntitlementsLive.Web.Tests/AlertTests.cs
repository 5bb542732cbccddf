using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Rule 13: pool levels and uncovered-soon warnings, raised once per crossing in the ledger's transaction, resolved when they clear, live.</summary>
[Collection(AppCollection.Name)]
public class AlertTests(AppFactory app)
{
    private static async Task<List<JsonElement>> Alerts(HttpClient api, int orgId, string state = "open") =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/alerts?state={state}")).EnumerateArray()];

    private Task<int> Messages(int orgId, string type) => app.WithDb(db => db.Outbox.CountAsync(m => m.OrganizationId == orgId && m.Type == type));

    [Fact]
    public async Task ALevelCrossedBy32RacingTransfers_RaisesExactlyOneAlert_APurchaseResolvesIt_ALaterDropRaisesItAgain()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 100);
        await app.WithDb(async db =>
        {
            var e = await db.Events.Include(x => x.Products).SingleAsync(x => x.Id == eventId);
            e.ApplyCounters(new CounterDelta(200, 0));
            return await db.SaveChangesAsync();
        });
        var set = await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { available = 50 }, new { percentOfPurchased = 5 } } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var levels = (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("levelNow").GetInt64()).ToList();
        Assert.Equal([50L, 5L], levels);
        Assert.Empty(await Alerts(api, orgId));
        await using var screen = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));

        // 32 transfers of 2 at once: the pool goes from 100 to 36, crossing 50 once, whoever commits first.
        var racing = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers",
            new { productCode = ProductCodes.Subscription, quantity = 2, idempotencyKey = $"race-{i}" })));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        var open = Assert.Single(await Alerts(api, orgId));
        Assert.Equal(("pool-low", "SUBSCRIPTION", 50), (open.GetProperty("kind").GetString(), open.GetProperty("productCode").GetString(), open.GetProperty("level").GetInt32()));
        Assert.Contains("at or below the level of 50", open.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await Messages(orgId, MessageTypes.AlertRaised));
        var pushed = await screen.WaitFor("AlertRaised", p => p.GetProperty("orgId").GetInt32() == orgId);
        Assert.Equal(open.GetProperty("id").GetInt64(), pushed.Payload.GetProperty("alert").GetProperty("id").GetInt64());

        // A purchase lifts the pool above 50: resolved (and pushed), the list of all keeps it.
        await app.Purchase(orgId, ProductCodes.Subscription, 100);
        Assert.Empty(await Alerts(api, orgId));
        var resolved = Assert.Single(await Alerts(api, orgId, "all"));
        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
        await screen.WaitFor("AlertResolved", p => p.GetProperty("alert").GetProperty("id").GetInt64() == open.GetProperty("id").GetInt64());

        // Down to 50 again (136 → 50): raised again, as a new alert.
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 86);
        var again = Assert.Single(await Alerts(api, orgId));
        Assert.NotEqual(open.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        Assert.Equal(2, (await Alerts(api, orgId, "all")).Count);
        Assert.Equal(2, await Messages(orgId, MessageTypes.AlertRaised));
        Assert.Equal(1, await Messages(orgId, MessageTypes.AlertResolved));

        // Removing the level resolves its alert; the remaining 5 % level (10 of 200) is not crossed.
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { percentOfPurchased = 5 } } });
        Assert.Empty(await Alerts(api, orgId));
    }

    [Fact]
    public async Task AnEventEnteringTheWindow_AlertsOnce_AndCoveringItResolves()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        var soon = await app.WithDb(async db =>
        {
            var e = new Event(orgId, "Soon " + orgId, DateTime.UtcNow.AddDays(5), DateTime.UtcNow.AddDays(6));
            e.ApplyCounters(new CounterDelta(4, 0));
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });

        // Nothing touched the event: the minutely sweep finds it, once however often it runs (the app's own minutely
        // job may be the one that finds it first).
        Assert.InRange(await app.With<SweepUncoveredSoon, int>(s => s.ForOrganization(orgId, CancellationToken.None)), 0, 1);
        Assert.Equal(0, await app.With<SweepUncoveredSoon, int>(s => s.ForOrganization(orgId, CancellationToken.None)));
        Assert.Equal(1, await Messages(orgId, MessageTypes.AlertRaised));
        var alert = Assert.Single(await Alerts(api, orgId));
        Assert.Equal(("event-uncovered-soon", soon), (alert.GetProperty("kind").GetString(), alert.GetProperty("eventId").GetInt32()));
        Assert.Contains("starts in 5 days", alert.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Covered by a transfer: resolved in the transfer's own transaction.
        await app.Transfer(orgId, soon, ProductCodes.Subscription, 4);
        Assert.Empty(await Alerts(api, orgId));

        // A participant added makes it short again: raised inline; a narrower window (3 days) resolves it at once.
        await app.With<Features.Participants.ApplyParticipantChanges, Features.Participants.ParticipantChangesResult>(h => h.Handle(orgId, soon,
            [new("late-1", "late", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        Assert.Single(await Alerts(api, orgId));
        var narrowed = await api.PutAsJsonAsync($"/api/orgs/{orgId}/alert-settings", new { uncoveredSoonDays = 3 });
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        Assert.Empty(await Alerts(api, orgId));
        Assert.Equal(3, (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/alert-settings")).GetProperty("uncoveredSoonDays").GetInt32());
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/alert-settings", new { uncoveredSoonDays = 14 });
        Assert.Single(await Alerts(api, orgId));
    }

    public static TheoryData<string, string> BadLevels() => new()
    {
        { "levels", "{\"levels\":[{\"available\":-1}]}" },
        { "levels", "{\"levels\":[{\"percentOfPurchased\":0}]}" },
        { "levels", "{\"levels\":[{\"percentOfPurchased\":101}]}" },
        { "levels", "{\"levels\":[{\"available\":5,\"percentOfPurchased\":5}]}" },
        { "levels", "{\"levels\":[{}]}" },
        { "levels", "{\"levels\":[null]}" },
        { "levels", "{\"levels\":[{\"available\":5},{\"available\":5}]}" },
        { "levels", "{\"levels\":[" + string.Join(",", Enumerable.Range(1, 11).Select(i => "{\"available\":" + i + "}")) + "]}" },
        { "levels", "{}" },
        { "uncoveredSoonDays", "{\"uncoveredSoonDays\":0}" },
        { "uncoveredSoonDays", "{\"uncoveredSoonDays\":366}" },
        { "uncoveredSoonDays", "{}" },
    };

    [Theory]
    [MemberData(nameof(BadLevels))]
    public async Task BadLevelsAndWindows_AreRefused_AndChangeNothing(string field, string body)
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        var before = await app.Fingerprint();
        var path = field == "levels" ? $"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds" : $"/api/orgs/{orgId}/alert-settings";

        var response = await api.PutAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task AnotherOrganizationsAdmin_SeesNoneOfIt()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { available = 20 } } });
        Assert.Single(await Alerts(api, orgId));
        var (other, _, _) = await app.ApiAdminOf(subscriptions: 1);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/orgs/{orgId}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = Array.Empty<object>() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.LeadRetrieval}/thresholds", new { levels = Array.Empty<object>() })).StatusCode);
        Assert.Single(await Alerts(api, orgId));
    }
}
