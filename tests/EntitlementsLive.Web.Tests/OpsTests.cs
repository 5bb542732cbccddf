using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>The Ops console: organizations, activation, the product catalog and corrections of purchases.</summary>
[Collection(AppCollection.Name)]
public class OpsTests(AppFactory app)
{
    private const string Ops = "ops@platform.test";

    [Fact]
    public async Task CreateOrganization_IsIdempotent_AndStartsWithoutEntitlements()
    {
        using var ops = await app.ApiAs(Ops);
        var key = Guid.NewGuid().ToString();
        var name = "Org customer " + key[..6];

        var first = await ops.PostAsJsonAsync("/api/orgs", new { name, idempotencyKey = key });
        var again = await ops.PostAsJsonAsync("/api/orgs", new { name, idempotencyKey = key });
        var other = await ops.PostAsJsonAsync("/api/orgs", new { name = name + " two", idempotencyKey = key });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict), (first.StatusCode, again.StatusCode, other.StatusCode));
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("id").GetInt32(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        Assert.False(created.GetProperty("entitlementsActivated").GetBoolean());
        Assert.Equal(1, await app.WithDb(db => db.Organizations.CountAsync(o => o.Name == name)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bad\u0007name")]
    public async Task CreateOrganization_WithABadName_IsRefused_AndCreatesNothing(string name)
    {
        using var ops = await app.ApiAs(Ops);
        var before = await app.WithDb(db => db.Organizations.CountAsync());

        var response = await ops.PostAsJsonAsync("/api/orgs", new { name, idempotencyKey = Guid.NewGuid().ToString() });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
        Assert.Equal(before, await app.WithDb(db => db.Organizations.CountAsync()));
    }

    [Fact]
    public async Task Activation_OpensTheEntitlementsSection_AndDeactivationKeepsEveryRow()
    {
        using var ops = await app.ApiAs(Ops);
        var org = (await (await ops.PostAsJsonAsync("/api/orgs", new { name = "Org soon active", idempotencyKey = Guid.NewGuid().ToString() })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        using var admin = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, org)));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/api/orgs/{org}/pools")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ops.PutAsJsonAsync($"/api/orgs/{org}/activation", new { activated = true })).StatusCode);
        await app.Purchase(org, ProductCodes.Subscription, 7);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/orgs/{org}/pools")).StatusCode);

        var off = await ops.PutAsJsonAsync($"/api/orgs/{org}/activation", new { activated = false });
        Assert.False((await off.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entitlementsActivated").GetBoolean());
        var refused = await admin.GetAsync($"/api/orgs/{org}/pools");
        Assert.Equal("entitlements-not-activated", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(7, await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == org).Select(p => p.Available).SingleAsync()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.PutAsJsonAsync($"/api/orgs/{org}/activation", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PutAsJsonAsync("/api/orgs/999999/activation", new { activated = true })).StatusCode);
    }

    [Fact]
    public async Task Catalog_ListsTheBuiltIns_AndOpsAddProductsThatCanBePurchased()
    {
        using var ops = await app.ApiAs(Ops);
        using var team = await app.ApiAs("team@acme.test");
        var code = "PHOTO_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        var listed = await team.GetFromJsonAsync<JsonElement>("/api/products");
        var added = await ops.PostAsJsonAsync("/api/products", new { code, name = "Photo booth", kind = "module" });
        var duplicate = await ops.PostAsJsonAsync("/api/products", new { code, name = "Photo booth", kind = "module" });

        Assert.Superset(ProductCodes.BuiltIn().Select(p => p.Code).ToHashSet(), listed.EnumerateArray().Select(p => p.GetProperty("code").GetString()!).ToHashSet());
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Conflict), (added.StatusCode, duplicate.StatusCode));
        Assert.Contains(code, (await team.GetFromJsonAsync<JsonElement>("/api/products")).EnumerateArray().Select(p => p.GetProperty("code").GetString()));
        var (orgId, _) = await app.NewOrganization(subscriptions: 0);
        Assert.Equal(2, (await app.Purchase(orgId, code, 2)).Transaction.BalanceAfter);
    }

    [Theory]
    [InlineData("lower_case", "Name", "module", "code")]
    [InlineData("X", "Name", "module", "code")]
    [InlineData("GOOD_CODE", "", "module", "name")]
    [InlineData("GOOD_CODE", "Name", "Module", "kind")]
    [InlineData("GOOD_CODE", "Name", "bundle", "kind")]
    public async Task BadProduct_IsRefusedWithTheField_AndAddsNothing(string code, string name, string kind, string field)
    {
        using var ops = await app.ApiAs(Ops);
        var before = await app.WithDb(db => db.Products.CountAsync());

        var response = await ops.PostAsJsonAsync("/api/products", new { code, name, kind });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.WithDb(db => db.Products.CountAsync()));
    }

    private static object Adjustment(long quantity, string key, string reason = "Contract says 90, not 100", string product = ProductCodes.Subscription) =>
        new { productCode = product, quantity, reason, reference = "CTR-7", idempotencyKey = key };

    [Fact]
    public async Task Adjustment_CorrectsThePool_IsItsOwnKindInTheHistory_AndIsPushedLive()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 100);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        await using var screen = await LiveClient.Connect(app, adminEmail);
        using var ops = await app.ApiAs(Ops);

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/adjustments", Adjustment(-10, "adj-1"));
        var again = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/adjustments", Adjustment(-10, "adj-1"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (response.StatusCode, again.StatusCode));
        var transaction = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction");
        Assert.Equal(("adjustment", -10L, 90L, "Contract says 90, not 100"), (transaction.GetProperty("kind").GetString(), transaction.GetProperty("poolChange").GetInt64(),
            transaction.GetProperty("balanceAfter").GetInt64(), transaction.GetProperty("reason").GetString()));
        var pool = await app.WithDb(db => db.Pools.AsNoTracking().SingleAsync(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription));
        Assert.Equal((90L, 0L, 90L), (pool.Purchased, pool.Transferred, pool.Available));
        var pushed = await screen.WaitFor("TransactionRecorded", p => p.GetProperty("transaction").GetProperty("kind").GetString() == "adjustment");
        Assert.Equal(-10, pushed.Payload.GetProperty("transaction").GetProperty("poolChange").GetInt64());

        using var admin = await app.ApiAs(adminEmail);
        var history = await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/transactions?kind=adjustment");
        Assert.Single(history.GetProperty("items").EnumerateArray());
        var csv = await admin.GetStringAsync($"/api/orgs/{orgId}/transactions/export?format=csv");
        Assert.Contains("adjustment", csv, StringComparison.Ordinal);
        Assert.Contains("Contract says 90, not 100", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-61, HttpStatusCode.Conflict)]
    [InlineData(0, HttpStatusCode.UnprocessableEntity)]
    [InlineData(10_000_001, HttpStatusCode.UnprocessableEntity)]
    public async Task Adjustment_ThatWouldOverdrawOrMeansNothing_IsRefused_AndChangesNothing(long quantity, HttpStatusCode expected)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 40);
        using var ops = await app.ApiAs(Ops);
        var before = await app.Fingerprint();

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/adjustments", Adjustment(quantity, Guid.NewGuid().ToString()));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Adjustment_DownToExactlyWhatIsAvailable_IsAccepted()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 40);
        using var ops = await app.ApiAs(Ops);

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/adjustments", Adjustment(-60, Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction").GetProperty("balanceAfter").GetInt64());
    }

    [Theory]
    [InlineData("reason", "")]
    [InlineData("reason", "bad\u0000reason")]
    public async Task Adjustment_NeedsAReason(string field, string reason)
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 10);
        using var ops = await app.ApiAs(Ops);
        var before = await app.Fingerprint();

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/adjustments", Adjustment(1, Guid.NewGuid().ToString(), reason));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task OpsPages_CreateAnOrganization_AndActivateIt()
    {
        using var pages = await app.PagesAs(Ops);
        var html = await pages.GetStringAsync("/Ops");
        var name = "Org paged " + Guid.NewGuid().ToString("N")[..6];

        var created = await Browserless.Post(pages, "/Ops?handler=Create", new() { ["Name"] = name, ["IdempotencyKey"] = Browserless.Hidden(html, "IdempotencyKey") }, html);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var org = await app.OrgId(name);
        var list = await pages.GetStringAsync("/Ops");
        Assert.Contains(name + " is created", list, StringComparison.Ordinal);

        var activated = await Browserless.Post(pages, $"/Ops?handler=Activation&organizationId={org}", new() { ["activated"] = "true" }, list);
        Assert.Equal(HttpStatusCode.Redirect, activated.StatusCode);
        Assert.True(await app.WithDb(db => db.Organizations.Where(o => o.Id == org).Select(o => o.EntitlementsActivated).SingleAsync()));

        var empty = await Browserless.Post(pages, "/Ops?handler=Create", new() { ["Name"] = "", ["IdempotencyKey"] = Guid.NewGuid().ToString() }, list);
        Assert.Contains("Nothing was changed.", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
