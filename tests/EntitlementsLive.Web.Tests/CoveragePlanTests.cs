using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Coverage plans: soonest first within each pool, one confirmed step of final transfers, refused when stale.</summary>
[Collection(AppCollection.Name)]
public class CoveragePlanTests(AppFactory app)
{
    private static readonly string[] UnknownProduct = ["NOPE"];

    [Fact]
    public async Task APlanOverAPoolTooSmall_CoversTheSoonestFirst_AndReportsTheShortfall()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 50);
        var now = DateTime.UtcNow;
        var later = await EventWith(orgId, "Later", now.AddDays(10), participants: 30);
        var sooner = await EventWith(orgId, "Sooner", now.AddDays(5), participants: 30);
        var past = await EventWith(orgId, "Past", now.AddDays(-10), participants: 10);
        await EventWith(orgId, "Test run", now.AddDays(1), participants: 5, ProductionStatus.Test);

        var live = await Plan(api, orgId, new { scope = "live" });
        Assert.Equal([(sooner, 30L, 20L), (later, 20L, 0L)], Items(live));
        Assert.Equal(10, Shortfall(live, ProductCodes.Subscription));
        Assert.Equal(0, live.GetProperty("poolsAfter").EnumerateArray().Single(p => p.GetProperty("productCode").GetString() == ProductCodes.Subscription).GetProperty("available").GetInt64());

        // Past events come after every live one, however soon they started.
        var all = await Plan(api, orgId, new { scope = "all" });
        Assert.Equal(Items(live), Items(all));
        Assert.Equal(20, Shortfall(all, ProductCodes.Subscription));

        // "Cover this event": only what that event misses, even when a sooner one misses more.
        var one = await Plan(api, orgId, new { scope = "all", eventIds = new[] { past } });
        Assert.Equal([(past, 10L, 40L)], Items(one));
        Assert.Empty(one.GetProperty("shortfall").EnumerateArray());

        // Making a plan changed nothing.
        Assert.Equal(50, await Available(orgId));
    }

    [Fact]
    public async Task ExecutingTwiceWithOneKey_RecordsOneSetOfTransfers()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 100);
        var now = DateTime.UtcNow;
        var a = await EventWith(orgId, "A", now.AddDays(3), participants: 12);
        var b = await EventWith(orgId, "B", now.AddDays(4), participants: 7);
        var plan = await Plan(api, orgId, new { });
        var planId = plan.GetProperty("planId").GetString();
        var body = new { idempotencyKey = Guid.NewGuid().ToString() };

        var first = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{planId}/execute", body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{planId}/execute", body);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        var firstIds = Transactions(await first.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(firstIds, Transactions(await second.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal([(a, 12L), (b, 7L)], firstIds.Select(t => (t.EventId, t.Quantity)));
        Assert.Equal(81, await Available(orgId));
        Assert.Equal(2, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));
        Assert.False(await app.WithDb(db => db.Events.AnyAsync(e => e.OrganizationId == orgId && e.IsMissing)));

        // Another key on the executed plan transfers nothing more; the same key on another plan is rule 7's refusal.
        var again = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{planId}/execute", new { idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(ErrorCodes.PlanStale, await Code(again, HttpStatusCode.Conflict));
        await EventWith(orgId, "C", now.AddDays(5), participants: 2);
        var next = (await Plan(api, orgId, new { })).GetProperty("planId").GetString();
        var reused = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{next}/execute", body);
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, await Code(reused, HttpStatusCode.Conflict));
        Assert.Equal(81, await Available(orgId));
    }

    [Fact]
    public async Task APlanMadeBeforeAConcurrentTransfer_IsRefusedAsStale_AndChangesNothing()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 40);
        var now = DateTime.UtcNow;
        var a = await EventWith(orgId, "A", now.AddDays(3), participants: 25);
        var b = await EventWith(orgId, "B", now.AddDays(4), participants: 25);
        var plan = await Plan(api, orgId, new { });
        Assert.Equal([(a, 25L, 15L), (b, 15L, 0L)], Items(plan));

        await app.Transfer(orgId, b, ProductCodes.Subscription, 5);
        var ledger = await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId));
        var stale = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{plan.GetProperty("planId").GetString()}/execute",
            new { idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(ErrorCodes.PlanStale, await Code(stale, HttpStatusCode.Conflict));
        Assert.Equal(ledger, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId)));
        Assert.Equal(35, await Available(orgId));

        // Made again, it reflects the transfer and executes.
        var fresh = await Plan(api, orgId, new { });
        Assert.Equal([(a, 25L, 10L), (b, 10L, 0L)], Items(fresh));
        var executed = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{fresh.GetProperty("planId").GetString()}/execute",
            new { idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Created, executed.StatusCode);
        Assert.Equal(0, await Available(orgId));
    }

    [Fact]
    public async Task ThePage_ShowsAStalePlanMadeAgain_ThenExecutesTheConfirmedOneOnce()
    {
        var (client, orgId, first) = await app.PagesAdminOf(subscriptions: 30, participants: 12);
        var second = await EventWith(orgId, "Second", DateTime.UtcNow.AddDays(40), participants: 25);
        var url = $"/Orgs/{orgId}/Entitlements/Cover";
        var planned = await client.GetStringAsync(url);
        Assert.Contains("data-testid=\"plan-items\"", planned, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"plan-shortfall\"", planned, StringComparison.Ordinal);

        await app.Transfer(orgId, first, ProductCodes.Subscription, 2);
        var stale = await Browserless.Post(client, url, Form(planned), planned);
        var again = await stale.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("data-testid=\"plan-notice\"", again, StringComparison.Ordinal);
        Assert.Equal(28, await Available(orgId));

        var done = await Browserless.Post(client, url, Form(again), again);
        var repeat = await Browserless.Post(client, url, Form(again), again);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal($"/Orgs/{orgId}/Entitlements/Events", done.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, repeat.StatusCode);
        Assert.Equal(0, await Available(orgId));
        Assert.Equal(18, await app.WithDb(db => db.EventProducts.Where(p => p.EventId == second && p.ProductCode == ProductCodes.Subscription).Select(p => p.Allocated).SingleAsync()));
        Assert.Contains("2 transfers recorded to 2 events", await client.GetStringAsync($"/Orgs/{orgId}/Entitlements/Events"), StringComparison.Ordinal);

        static Dictionary<string, string> Form(string html) => new()
        {
            ["PlanId"] = Browserless.Hidden(html, "PlanId"),
            ["IdempotencyKey"] = Browserless.Hidden(html, "IdempotencyKey"),
            ["Scope"] = "all",
        };
    }

    [Fact]
    public async Task AnEventTeamMember_CanNeitherMakeNorRunAPlan()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 40);
        var eventId = await EventWith(orgId, "Team's event", DateTime.UtcNow.AddDays(3), participants: 10);
        using var team = await app.ApiAs(await app.NewUser(u => Membership.Team(u, orgId, eventId)));

        var make = await team.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans", new { eventIds = new[] { eventId } });
        Assert.Equal(ErrorCodes.Forbidden, await Code(make, HttpStatusCode.Forbidden));
        var planId = (await Plan(api, orgId, new { })).GetProperty("planId").GetString();
        var run = await team.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{planId}/execute", new { idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Forbidden, run.StatusCode);
        Assert.Equal(40, await Available(orgId));
        Assert.True(await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.IsMissing).SingleAsync()));
    }

    [Fact]
    public async Task BadPlans_AreRefusedWithTheirReasons()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        var (_, otherOrg, otherEvent) = await app.ApiAdminOf(subscriptions: 10);

        var scope = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans", new { scope = "soon" });
        Assert.Equal(ErrorCodes.Validation, await Code(scope, HttpStatusCode.UnprocessableEntity));
        var product = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans", new { productCodes = UnknownProduct });
        Assert.Equal(ErrorCodes.Validation, await Code(product, HttpStatusCode.UnprocessableEntity));
        var foreign = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans", new { eventIds = new[] { otherEvent } });
        Assert.Contains($"no event {otherEvent}", (await foreign.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);

        var planId = (await Plan(api, orgId, new { })).GetProperty("planId").GetString();
        var noKey = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/{planId}/execute", new { });
        Assert.Equal(ErrorCodes.Validation, await Code(noKey, HttpStatusCode.UnprocessableEntity));
        var unknown = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans/nope/execute", new { idempotencyKey = "k" });
        Assert.Equal(ErrorCodes.NotFound, await Code(unknown, HttpStatusCode.NotFound));
        Assert.True(otherOrg != orgId);
    }

    private static async Task<JsonElement> Plan(HttpClient api, int orgId, object body)
    {
        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/coverage-plans", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<(int EventId, long Quantity, long PoolAfter)> Items(JsonElement plan) =>
        plan.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("eventId").GetInt32(), i.GetProperty("quantity").GetInt64(), i.GetProperty("poolAfter").GetInt64()))
            .ToList();

    private static long Shortfall(JsonElement plan, string productCode) =>
        plan.GetProperty("shortfall").EnumerateArray().Where(s => s.GetProperty("productCode").GetString() == productCode)
            .Sum(s => s.GetProperty("missing").GetInt64());

    private static List<(long Id, int EventId, long Quantity)> Transactions(JsonElement answer) =>
        answer.GetProperty("transactions").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetInt64(), t.GetProperty("eventId").GetInt32(), t.GetProperty("quantity").GetInt64()))
            .ToList();

    private static async Task<string?> Code(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
    }

    private Task<long> Available(int orgId) =>
        app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());

    /// <summary>An event of the organization starting at <paramref name="startsAt"/>, with participants added through the real handler.</summary>
    private async Task<int> EventWith(int orgId, string name, DateTime startsAt, int participants, ProductionStatus status = ProductionStatus.Production)
    {
        var eventId = await app.WithDb(async db =>
        {
            var e = new Event(orgId, name, startsAt, startsAt.AddDays(1));
            if (status != ProductionStatus.Production)
            {
                e.Sync("ref-" + Guid.NewGuid().ToString("N"), name, startsAt, startsAt.AddDays(1), status, []);
            }

            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
        var changes = Enumerable.Range(1, participants)
            .Select(i => new ParticipantChange($"c{eventId}-{i}", $"p{i}", ParticipantChangeType.Added, DateTime.UtcNow))
            .ToList();
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId, changes, CancellationToken.None));
        return eventId;
    }
}
