using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Members;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Invitations and reset links: single use, expiring, hashed at rest; the same rules on the page and the API.</summary>
[Collection(AppCollection.Name)]
public class InvitationsTests(AppFactory app)
{
    private static string TokenOf(string acceptUrl) => HttpUtility.ParseQueryString(new Uri(acceptUrl).Query)["token"]!;

    private static async Task<string> Invite(HttpClient api, int orgId, string email, string role, int? eventId = null)
    {
        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email, role, eventId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acceptUrl").GetString()!;
    }

    private static string NewEmail() => "new" + Guid.NewGuid().ToString("N")[..8] + "@customer.example";

    [Fact]
    public async Task Invitation_CreatesTheUser_WithTheRole_Once()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 5);
        var email = NewEmail();
        var url = await Invite(api, orgId, email, "EntitlementManager");
        using var anonymous = app.CreateClient();

        var accepted = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), name = "Nina Manager", password = "Str0ng!pass" });
        var again = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), name = "Nina Manager", password = "Str0ng!pass" });

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var membership = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberships")[0];
        Assert.Equal(("EntitlementManager", orgId), (membership.GetProperty("role").GetString(), membership.GetProperty("organizationId").GetInt32()));
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal("invitation-invalid", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = "Str0ng!pass" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.False(await app.WithDb(db => db.Invitations.AnyAsync(i => i.TokenHash == TokenOf(url))));
    }

    [Fact]
    public async Task ExpiredOrForgedLinks_AreRefused_OnTheApiAndThePage()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 5);
        var url = await Invite(api, orgId, NewEmail(), "EntitlementManager");
        await app.WithDb(db => db.Database.ExecuteSqlRawAsync("""UPDATE "Invitations" SET "ExpiresAt" = '2001-01-01 00:00:00' WHERE "TokenHash" = {0}""", Features.Shared.Secrets.Hash(TokenOf(url))));
        using var anonymous = app.CreateClient();

        foreach (var token in new[] { TokenOf(url), "forged-token", "" })
        {
            var response = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token, name = "X", password = "Str0ng!pass" });
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
            var page = await anonymous.GetAsync("/Account/Accept?token=" + Uri.EscapeDataString(token));
            Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
            Assert.Contains("This link is not valid", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ExistingUser_GainsTheMembership_WithTheirOwnPassword()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 5);
        var existing = await app.NewUser(u => Membership.Ops(u));
        var url = await Invite(api, orgId, existing, "OrganizationAdministrator");
        using var anonymous = app.CreateClient();

        var wrong = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), password = "not-it" });
        var right = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), password = Demo.DemoSeeder.Password });

        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK), (wrong.StatusCode, right.StatusCode));
        Assert.Equal(2, (await right.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberships").GetArrayLength());
    }

    public static TheoryData<string, string, string> BadInvitations() => new()
    {
        { "not-an-email", "EntitlementManager", "email" },
        { "a@b", "EntitlementManager", "email" },
        { "ok@customer.example", "Ops", "role" },
        { "ok@customer.example", "entitlementManager", "role" },
        { "ok@customer.example", "EventTeam", "eventId" },
    };

    [Theory]
    [MemberData(nameof(BadInvitations))]
    public async Task BadInvitation_IsRefusedWithTheField_AndStoresNothing(string email, string role, string field)
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1);
        var before = await app.WithDb(db => db.Invitations.CountAsync());

        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email, role });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await app.WithDb(db => db.Invitations.CountAsync()));
    }

    [Fact]
    public async Task EventTeamInvitation_NeedsAnEventOfTheSameOrganization()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 1);
        var (_, otherEvent) = await app.NewOrganization(subscriptions: 1);

        var foreign = await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email = NewEmail(), role = "EventTeam", eventId = otherEvent });
        var own = await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email = NewEmail(), role = "EventTeam", eventId });

        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.Created), (foreign.StatusCode, own.StatusCode));
    }

    [Theory]
    [InlineData(AppFactory.AcmeManager, 403)]
    [InlineData("team@acme.test", 403)]
    [InlineData("admin@globex.test", 404)]
    [InlineData("ops@platform.test", 201)]
    [InlineData("admin@acme.test", 201)]
    public async Task OnlyTheOrganizationsAdministrators_AndOps_Invite(string user, int expected)
    {
        await app.EnsureAcmeManager();
        var acme = await app.OrgId("Acme Events");
        using var api = await app.ApiAs(user);

        var response = await api.PostAsJsonAsync($"/api/orgs/{acme}/invitations", new { email = NewEmail(), role = "EntitlementManager" });

        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Fact]
    public async Task PasswordResetLink_FromTheAdministrator_SetsANewPassword_Once()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 1);
        var email = await app.NewUser(u => Membership.Manager(u, orgId));
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var id = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == email).GetProperty("id").GetInt32();

        var issued = await api.PostAsync($"/api/orgs/{orgId}/memberships/{id}/password-reset", null);
        var url = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acceptUrl").GetString()!;
        using var anonymous = app.CreateClient();
        var weak = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), password = "short" });
        var reset = await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), password = "N3w!password" });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK), (issued.StatusCode, weak.StatusCode, reset.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = "N3w!password" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = Demo.DemoSeeder.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await anonymous.PostAsJsonAsync("/api/invitations/accept", new { token = TokenOf(url), password = "An0ther!pass" })).StatusCode);
    }

    [Fact]
    public async Task SelfServiceReset_WithoutMail_SaysToAskTheAdministrator()
    {
        using var anonymous = app.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new { email = "admin@acme.test" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("mail-not-configured", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task AcceptPage_CreatesTheAccount_AndSignsIn()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 1);
        var url = await Invite(api, orgId, NewEmail(), "EventTeam", eventId);
        using var browser = await app.PagesAs(null);
        var path = new Uri(url).PathAndQuery;
        var html = await browser.GetStringAsync(path);
        Assert.Contains("joins as Event team", html, StringComparison.Ordinal);

        var weak = await Browserless.Post(browser, path, new() { ["Name"] = "Tom Team", ["Password"] = "x" }, html);
        Assert.Contains("Passwords must be at least 8 characters", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var accepted = await Browserless.Post(browser, path, new() { ["Name"] = "Tom Team", ["Password"] = "T3am!member" }, html);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Orgs/{orgId}/Events/{eventId}")).StatusCode);
    }

    [Fact]
    public async Task MembersPage_InvitesAndShowsTheLinkOnce()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 1);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var html = await pages.GetStringAsync($"/Orgs/{orgId}/Members");
        var email = NewEmail();

        var response = await Browserless.Post(pages, $"/Orgs/{orgId}/Members?handler=Invite", new() { ["Email"] = email, ["RoleChoice"] = "EntitlementManager" }, html);
        var shown = await response.Content.ReadAsStringAsync();

        Assert.Contains("/Account/Accept?token=", shown, StringComparison.Ordinal);
        var again = await pages.GetStringAsync($"/Orgs/{orgId}/Members");
        Assert.DoesNotContain("/Account/Accept?token=", again, StringComparison.Ordinal);
        Assert.Contains(email, again, StringComparison.Ordinal);
    }
}

/// <summary>The first start of a platform without demo data.</summary>
[Collection(AppCollection.Name)]
public sealed class BootstrapTests
{
    [Fact]
    public async Task FirstStart_InvitesTheFirstOpsUser_Once_EvenAcrossRestarts()
    {
        var database = TestDatabase.New("bootstrap.db");
        await using (var first = new BootstrappedApp(database))
        {
            Assert.Equal(1, await first.WithDb(db => db.Invitations.CountAsync(i => i.Role == Role.Ops && i.Email == "first.ops@platform.example")));
        }

        await using var second = new BootstrappedApp(database);
        Assert.Equal(1, await second.WithDb(db => db.Invitations.CountAsync()));
        Assert.Null(await second.With<Bootstrap, InvitationCreated?>(b => b.RunAsync("first.ops@platform.example", "http://localhost", CancellationToken.None)));
    }

    private sealed class BootstrappedApp(string database) : AppFactory(database)
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Database:SeedDemoData"] = "false",
            ["Bootstrap:OpsEmail"] = "First.Ops@platform.example",
            ["Jobs:Recurring"] = "false",
        };
    }
}
