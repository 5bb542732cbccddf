using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Events from the platform: an idempotent upsert by reference, by managers or a key with the events scope.</summary>
[Collection(AppCollection.Name)]
public class EventsTests(AppFactory app)
{
    private static object Body(string status = "production", string[]? modules = null, string name = "Platform Expo", string startsAt = "2027-03-01T09:00:00+01:00",
        string endsAt = "2027-03-02T18:00:00+01:00", string? timeZone = null) => new { name, startsAt, endsAt, status, modules = modules ?? [ProductCodes.LeadRetrieval], timeZone };

    private async Task<HttpClient> KeyOf(int orgId, HttpClient admin, params string[] scopes)
    {
        var created = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "platform", scopes });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var machine = app.CreateClient();
        machine.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        return machine;
    }

    private Task<int> OutboxCount(int orgId) => app.WithDb(db => db.Outbox.CountAsync(m => m.OrganizationId == orgId));

    [Fact]
    public async Task Sync_CreatesTheEvent_ThenTheSameBodyChangesAndPushesNothing()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);

        var created = await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/expo-2027", Body());
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var pushed = await OutboxCount(orgId);
        var again = await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/expo-2027", Body());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(("expo-2027", "production", true), (body.GetProperty("externalRef").GetString(), body.GetProperty("productionStatus").GetString(), body.GetProperty("missing").GetBoolean()));
        Assert.Equal(new DateTime(2027, 3, 1, 8, 0, 0, DateTimeKind.Utc), body.GetProperty("startsAt").GetDateTime().ToUniversalTime());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(pushed, await OutboxCount(orgId));
        Assert.Equal(1, await app.WithDb(db => db.Events.CountAsync(e => e.OrganizationId == orgId && e.ExternalRef == "expo-2027")));
    }

    [Fact]
    public async Task TestOrCancelledEvents_RequireNothing_AndKeepWhatTheyReceived()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        await app.Purchase(orgId, ProductCodes.LeadRetrieval, 1);
        var created = await (await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/conf", Body())).Content.ReadFromJsonAsync<JsonElement>();
        var eventId = created.GetProperty("id").GetInt32();
        await app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));

        var cancelled = await (await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/conf", Body(status: "cancelled", modules: []))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(cancelled.GetProperty("missing").GetBoolean());
        var lead = cancelled.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("productCode").GetString() == ProductCodes.LeadRetrieval);
        Assert.Equal((0, 1), (lead.GetProperty("required").GetInt64(), lead.GetProperty("allocated").GetInt64()));
        var pushed = await admin.WaitFor("EventCoverageChanged", p => p.GetProperty("eventId").GetInt32() == eventId && p.GetProperty("productionStatus").GetString() == "cancelled");
        Assert.False(pushed.Payload.GetProperty("missing").GetBoolean());
    }

    [Fact]
    public async Task IntegrationKey_NeedsTheEventsScope_AndItsOwnOrganization()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1);
        var (otherApi, otherOrg, _) = await app.ApiAdminOf(subscriptions: 1);
        using var events = await KeyOf(orgId, api, "events");
        using var changesOnly = await KeyOf(orgId, api, "participant-changes");
        using var foreign = await KeyOf(otherOrg, otherApi, "events");

        Assert.Equal(HttpStatusCode.Created, (await events.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/k1", Body())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await changesOnly.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/k2", Body())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/k3", Body())).StatusCode);
        var eventId = await app.WithDb(db => db.Events.Where(e => e.ExternalRef == "k1" && e.OrganizationId == orgId).Select(e => e.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await events.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes",
            new { changes = new[] { BatchApi.Change("c1", "p1", "added", DateTime.UtcNow) } })).StatusCode);
        Assert.False(await app.WithDb(db => db.Events.AnyAsync(e => e.ExternalRef == "k2" || e.ExternalRef == "k3")));
    }

    public static TheoryData<string, object> BadBodies() => new()
    {
        { "status", Body(status: "Production") },
        { "status", Body(status: "live") },
        { "modules", Body(modules: ["LEAD_RETRIEVAL", "SUBSCRIPTION"]) },
        { "modules", Body(modules: ["NOPE"]) },
        { "endsAt", Body(endsAt: "2027-02-28T09:00:00+01:00") },
        { "startsAt", Body(startsAt: "2027-03-01T09:00:00") },
        { "startsAt", Body(startsAt: "0001-01-01T00:00:00Z") },
        { "endsAt", Body(endsAt: "2999-01-01T00:00:00Z") },
        { "name", Body(name: "") },
        { "name", Body(name: new string('x', 201)) },
        { "name", Body(name: "Expo\u0000") },
        { "timeZone", Body(timeZone: "Mars/Olympus_Mons") },
        { "timeZone", Body(timeZone: "Romance Standard Time") },
        { "timeZone", Body(timeZone: "europe/paris") },
        { "timeZone", Body(timeZone: "") },
        { "timeZone", Body(timeZone: "Europe/Paris\u0000") },
        { "timeZone", Body(timeZone: new string('A', 65)) },
    };

    [Theory]
    [InlineData("2026-12-27T09:00", "2026-12-27T18:00", "27 Dec 2026")]
    [InlineData("2026-12-27T09:00", "2026-12-28T00:00", "27 Dec 2026")]
    [InlineData("2026-12-12T09:00", "2026-12-15T17:00", "12–15 Dec 2026")]
    [InlineData("2026-11-28T09:00", "2026-12-02T17:00", "28 Nov – 2 Dec 2026")]
    [InlineData("2026-12-30T09:00", "2027-01-02T17:00", "30 Dec 2026 – 2 Jan 2027")]
    public void EventDates_InLists_SayEachDayOnce(string start, string end, string expected) =>
        Assert.Equal(expected, Web.Infrastructure.Times.DateRange(DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTime.Parse(end, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task EventDates_AreShownWhereTheEventTakesPlace()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        var created = await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/sg-2027", Body(timeZone: "Asia/Singapore"));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var eventId = body.GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Asia/Singapore", body.GetProperty("timeZone").GetString());
        Assert.Equal("2027-03-01T08:00:00Z", body.GetProperty("startsAt").GetString());
        var details = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlements");
        Assert.Equal("Asia/Singapore", details.GetProperty("timeZone").GetString());

        // 09:00 in Paris is 16:00 in Singapore: the page and the export say what Singapore reads.
        var userId = await app.WithDb(db => db.Users.Where(u => u.Email == "admin@globex.test").Select(u => u.Id).SingleAsync());
        await app.WithDb(async db => { db.Memberships.Add(Membership.Administrator(userId, orgId)); return await db.SaveChangesAsync(); });
        using var pages = await app.PagesAs("admin@globex.test");
        var page = await pages.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}");
        Assert.Contains("Mon 1 Mar 2027, 16:00 – 3 Mar 2027, 01:00 Asia/Singapore (UTC+08:00)", page, StringComparison.Ordinal);
        Assert.Contains("datetime=\"2027-03-01T16:00:00+08:00\"", page, StringComparison.Ordinal);
        var csv = await api.GetStringAsync($"/api/orgs/{orgId}/events/export?format=csv&status=all");
        Assert.Contains($"{eventId},Platform Expo,sg-2027,live,Asia/Singapore,2027-03-01T16:00:00+08:00,2027-03-03T01:00:00+08:00,", csv, StringComparison.Ordinal);

        // A sync that no longer names the zone puts the event back on UTC, and that is a change.
        var again = await (await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/sg-2027", Body())).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("UTC", again.GetProperty("timeZone").GetString());
        Assert.Contains("Mon 1 Mar 2027, 08:00 – 2 Mar 2027, 17:00 UTC", await pages.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadSync_IsRefusedWithTheField_AndChangesNothing(string field, object body)
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1);
        var before = await app.Fingerprint();

        var response = await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/bad", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task TheEventsTab_ShowsTheProductionStatus()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1);
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/rehearsal", Body(status: "test", name: "Rehearsal"));
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));

        var html = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements/Events");

        Assert.Contains("Rehearsal", html, StringComparison.Ordinal);
        Assert.Contains(">Test &#xB7; needs none</span>", html, StringComparison.Ordinal);
    }
}
