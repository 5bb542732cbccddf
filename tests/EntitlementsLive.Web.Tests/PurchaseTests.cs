using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Purchases;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Purchases: Ops credit a pool from a contract, once per key, pushed live, only where entitlements work.</summary>
[Collection(AppCollection.Name)]
public class PurchaseTests(AppFactory app)
{
    private static object Body(string product, long quantity, string key, string reference = "CONTRACT-1") =>
        new { productCode = product, quantity, reference, idempotencyKey = key };

    [Fact]
    public async Task Purchase_CreditsThePool_AndIsPushedToTheAdmins()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 10);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));
        using var ops = await app.ApiAs("ops@platform.test");

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/purchases", Body(ProductCodes.Subscription, 25, "p-1"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var transaction = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction");
        Assert.Equal(("purchase", 35L), (transaction.GetProperty("kind").GetString(), transaction.GetProperty("balanceAfter").GetInt64()));
        var pool = await admin.WaitFor("PoolBalanceChanged", p => p.GetProperty("purchased").GetInt64() == 35);
        Assert.Equal(35, pool.Payload.GetProperty("available").GetInt64());
        Assert.Equal("subscription", pool.Payload.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task SameKeyTwice_RecordsOnePurchase_AnotherBodyIsRefused()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 0);
        using var ops = await app.ApiAs("ops@platform.test");

        var first = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/purchases", Body(ProductCodes.Gamification, 2, "same"));
        var again = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/purchases", Body(ProductCodes.Gamification, 2, "same"));
        var other = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/purchases", Body(ProductCodes.Gamification, 3, "same"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict), (first.StatusCode, again.StatusCode, other.StatusCode));
        Assert.Equal("idempotency-key-reused", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(2, await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Gamification).Select(p => p.Available).SingleAsync()));
    }

    [Theory]
    [InlineData("NOPE", 1, "productCode")]
    [InlineData(ProductCodes.Subscription, 0, "quantity")]
    [InlineData(ProductCodes.Subscription, -5, "quantity")]
    [InlineData(ProductCodes.Subscription, 10_000_001, "quantity")]
    public async Task BadPurchase_IsRefusedWithTheField_AndChangesNothing(string product, long quantity, string field)
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        using var ops = await app.ApiAs("ops@platform.test");
        var before = await app.Fingerprint();

        var response = await ops.PostAsJsonAsync($"/api/orgs/{orgId}/purchases", Body(product, quantity, Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Purchase_ForAnOrganizationWithoutEntitlements_IsRefused_OnTheApiAndInTheHandler()
    {
        var initech = await app.OrgId("Initech Meetups");
        using var ops = await app.ApiAs("ops@platform.test");

        var response = await ops.PostAsJsonAsync($"/api/orgs/{initech}/purchases", Body(ProductCodes.Subscription, 5, Guid.NewGuid().ToString()));
        var ex = await Assert.ThrowsAsync<DomainException>(() => app.With<RecordPurchase, PurchaseResult>(h =>
            h.Handle(initech, new PurchaseRequest(ProductCodes.Subscription, 5, "R", Guid.NewGuid().ToString()), "ops", CancellationToken.None)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("entitlements-not-activated", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.EntitlementsNotActivated, ex.Code);
        Assert.False(await app.WithDb(db => db.Pools.AnyAsync(p => p.OrganizationId == initech)));
    }
}
