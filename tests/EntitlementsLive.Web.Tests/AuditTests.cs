using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>The audit trail: every action that is not a ledger entry, who and when; append-only; for administrators.</summary>
[Collection(AppCollection.Name)]
public class AuditTests(AppFactory app)
{
    private static readonly string[] EventsScope = ["events"];

    private static async Task<List<JsonElement>> Trail(HttpClient api, int orgId) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/audit?limit=500")).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task KeysMembersInvitationsAndActivation_AreAudited_WithWhoAndWhat()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var api = await app.ApiAs(adminEmail);
        var managerEmail = await app.NewUser(u => Membership.Manager(u, orgId));

        var key = (await (await api.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "=HYPERLINK(\"x\")", scopes = EventsScope }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetProperty("id").GetInt32();
        await api.DeleteAsync($"/api/orgs/{orgId}/integration-keys/{key}");
        await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email = "audited@customer.example", role = "EntitlementManager" });
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var manager = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == managerEmail).GetProperty("id").GetInt32();
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/memberships/{manager}", new { role = "OrganizationAdministrator" });
        await api.DeleteAsync($"/api/orgs/{orgId}/memberships/{manager}");
        using var ops = await app.ApiAs("ops@platform.test");
        await ops.PutAsJsonAsync($"/api/orgs/{orgId}/activation", new { activated = false });
        await ops.PutAsJsonAsync($"/api/orgs/{orgId}/activation", new { activated = true });

        var trail = await Trail(api, orgId);
        string[] expected = ["entitlements-activated", "entitlements-deactivated", "membership-removed", "membership-role-changed", "invitation-created", "integration-key-revoked", "integration-key-created"];
        Assert.Equal(expected, trail.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["ops@platform.test", "ops@platform.test", adminEmail, adminEmail, adminEmail, adminEmail, adminEmail], trail.Select(e => e.GetProperty("actor").GetString()));
        Assert.Contains("Entitlement Manager → Organization Administrator", trail[3].GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Equal(managerEmail, trail[2].GetProperty("subject").GetString());

        var csv = await api.GetStringAsync($"/api/orgs/{orgId}/audit/export");
        Assert.Contains("integration-key-created", csv, StringComparison.Ordinal);
        Assert.Contains("'=HYPERLINK", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedActions_LeaveNoEntry()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var api = await app.ApiAs(adminEmail);
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var own = members.EnumerateArray().Single().GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email = "nope", role = "EntitlementManager" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/orgs/{orgId}/memberships/{own}")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "" })).StatusCode);

        Assert.Empty(await Trail(api, orgId));
    }

    [Theory]
    [InlineData("""UPDATE "AuditEntries" SET "Actor" = 'someone else'""")]
    [InlineData("""DELETE FROM "AuditEntries" """)]
    public async Task AuditEntries_AreFinal_EvenWithRawSql(string sql)
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        using var api = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        await api.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "audited key" });
        var before = await app.WithDb(db => db.AuditEntries.CountAsync());

        var ex = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.WithDb(db => db.Database.ExecuteSqlRawAsync(sql)));

        Assert.Contains(AuditEntry.Refusal, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDb(db => db.AuditEntries.CountAsync()));
    }
}
