using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Members: administrators list and remove memberships; an Entitlement Manager manages entitlements, not people.</summary>
[Collection(AppCollection.Name)]
public class MembersTests(AppFactory app)
{
    [Fact]
    public async Task Administrator_ListsMembers_WithTheirRoles()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 1);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));
        var manager = await app.NewUser(u => Membership.Manager(u, orgId));
        var team = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        using var api = await app.ApiAs(admin);

        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");

        var roles = members.EnumerateArray().ToDictionary(m => m.GetProperty("email").GetString()!, m => m.GetProperty("role").GetString());
        Assert.Equal("OrganizationAdministrator", roles[admin]);
        Assert.Equal("EntitlementManager", roles[manager]);
        Assert.Equal("EventTeam", roles[team]);
    }

    [Fact]
    public async Task EntitlementManager_ManagesEntitlements_ButNotMembers()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5, participants: 2);
        var manager = await app.NewUser(u => Membership.Manager(u, orgId));
        using var api = await app.ApiAs(manager);

        var transfer = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers",
            new { productCode = ProductCodes.Subscription, quantity = 2, idempotencyKey = Guid.NewGuid().ToString() });
        var members = await api.GetAsync($"/api/orgs/{orgId}/memberships");
        var orgs = await api.GetFromJsonAsync<JsonElement>("/api/orgs");

        Assert.Equal(HttpStatusCode.Created, transfer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, members.StatusCode);
        Assert.Equal("EntitlementManager", orgs.EnumerateArray().Single(o => o.GetProperty("id").GetInt32() == orgId).GetProperty("role").GetString());
        using var pages = await app.PagesAs(manager);
        Assert.Equal(HttpStatusCode.OK, (await pages.GetAsync($"/Orgs/{orgId}/Entitlements/Events")).StatusCode);
    }

    [Fact]
    public async Task RemovingAMembership_TakesEffectOnTheNextRequest()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 1);
        using var admin = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        using var team = await app.ApiAs(teamEmail);
        var url = $"/api/orgs/{orgId}/events/{eventId}/entitlements";
        Assert.Equal(HttpStatusCode.OK, (await team.GetAsync(url)).StatusCode);

        var members = await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var id = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == teamEmail).GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/orgs/{orgId}/memberships/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await team.GetAsync(url)).StatusCode);
        Assert.False(await app.WithDb(db => db.Memberships.AnyAsync(m => m.Id == id)));
    }

    [Fact]
    public async Task TheLastAdministrator_CanBeNeitherRemovedNorDemoted()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var api = await app.ApiAs(email);
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var own = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == email).GetProperty("id").GetInt32();

        var removed = await api.DeleteAsync($"/api/orgs/{orgId}/memberships/{own}");
        var demoted = await api.PutAsJsonAsync($"/api/orgs/{orgId}/memberships/{own}", new { role = "EntitlementManager" });

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (removed.StatusCode, demoted.StatusCode));
        Assert.Equal("last-administrator", (await removed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.True(await app.WithDb(db => db.Memberships.AnyAsync(m => m.Id == own && m.Role == Role.OrganizationAdministrator)));

        // With a second administrator, the first may step down.
        await app.NewUser(u => Membership.Administrator(u, orgId));
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/orgs/{orgId}/memberships/{own}", new { role = "EntitlementManager" })).StatusCode);
    }

    [Fact]
    public async Task AnotherOrganizationsMembership_AnswersAsIfItDidNotExist()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        var (otherOrg, _) = await app.NewOrganization(subscriptions: 1);
        await app.NewUser(u => Membership.Administrator(u, otherOrg));
        var foreignId = await app.WithDb(db => db.Memberships.Where(m => m.OrganizationId == otherOrg).Select(m => m.Id).FirstAsync());
        using var api = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId)));

        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/orgs/{orgId}/memberships/{foreignId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/orgs/{otherOrg}/memberships/{foreignId}")).StatusCode);
        Assert.True(await app.WithDb(db => db.Memberships.AnyAsync(m => m.Id == foreignId)));
    }

    [Theory]
    [InlineData("Ops", null, "role")]
    [InlineData("organizationAdministrator", null, "role")]
    [InlineData("EventTeam", null, "eventId")]
    [InlineData("EventTeam", 999999, "eventId")]
    public async Task BadRoleChange_IsRefusedWithTheField_AndChangesNothing(string role, int? eventId, string field)
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        using var api = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var manager = await app.NewUser(u => Membership.Manager(u, orgId));
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var id = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == manager).GetProperty("id").GetInt32();

        var response = await api.PutAsJsonAsync($"/api/orgs/{orgId}/memberships/{id}", new { role, eventId });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.True(await app.WithDb(db => db.Memberships.AnyAsync(m => m.Id == id && m.Role == Role.EntitlementManager)));
    }
}
