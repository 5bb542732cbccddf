using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Who may open what: every page and endpoint for every kind of caller.</summary>
[Collection(AppCollection.Name)]
public class AuthorizationMatrixTests(AppFactory app)
{
    private const string Anonymous = "anonymous";
    private const string AcmeAdmin = "admin@acme.test";
    private const string GlobexAdmin = "admin@globex.test";
    private const string Team = "team@acme.test";
    private const string Ops = "ops@platform.test";
    private const string InitechAdmin = "admin@initech.test";
    private const string Manager = AppFactory.AcmeManager;

    // (caller, path, expected) for GET endpoints of the API. {acme}, {initech}, {summit}, {launch} are replaced with ids.
    public static TheoryData<string, string, int> ApiReads()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var path in new[] { "/api/orgs/{acme}/pools", "/api/orgs/{acme}/events?status=live", "/api/orgs/{acme}/transactions", "/api/orgs/{acme}/transactions/export?format=csv", "/api/orgs/{acme}/pools/export?format=csv", "/api/orgs/{acme}/events/export?format=xlsx&status=live" })
        {
            data.Add(Anonymous, path, 401);
            data.Add(AcmeAdmin, path, 200);
            data.Add(Manager, path, 200);
            data.Add(GlobexAdmin, path, 404);
            data.Add(Team, path, 403);
            data.Add(Ops, path, 404);
            data.Add(InitechAdmin, path, 404);
            data.Add(InitechAdmin, path.Replace("{acme}", "{initech}", StringComparison.Ordinal), 403);
        }

        // Members are the administrators' alone, and are managed whether or not entitlements are activated.
        const string members = "/api/orgs/{acme}/memberships";
        data.Add(Anonymous, members, 401);
        data.Add(AcmeAdmin, members, 200);
        data.Add(Manager, members, 403);
        data.Add(Team, members, 403);
        data.Add(GlobexAdmin, members, 404);
        data.Add(Ops, members, 404);
        data.Add(InitechAdmin, "/api/orgs/{initech}/memberships", 200);

        const string invitations = "/api/orgs/{acme}/invitations";
        data.Add(Anonymous, invitations, 401);
        data.Add(AcmeAdmin, invitations, 200);
        data.Add(Manager, invitations, 403);
        data.Add(Team, invitations, 403);
        data.Add(GlobexAdmin, invitations, 404);
        data.Add(Ops, invitations, 404);
        data.Add(InitechAdmin, "/api/orgs/{initech}/invitations", 200);

        foreach (var audit in new[] { "/api/orgs/{acme}/audit", "/api/orgs/{acme}/audit/export" })
        {
            data.Add(Anonymous, audit, 401);
            data.Add(AcmeAdmin, audit, 200);
            data.Add(Manager, audit, 403);
            data.Add(Team, audit, 403);
            data.Add(GlobexAdmin, audit, 404);
            data.Add(Ops, audit, 404);
        }

        // Who counts and why: the administrators' and managers', never the event team's, nor another organization's.
        foreach (var path in new[] { "/api/orgs/{acme}/events/{summit}/participants", "/api/orgs/{acme}/events/{summit}/participants/counts",
                     "/api/orgs/{acme}/events/{summit}/participants/history?participantRef=P-{summit}-0001", "/api/orgs/{acme}/events/{summit}/participants/export?format=xlsx" })
        {
            data.Add(Anonymous, path, 401);
            data.Add(AcmeAdmin, path, 200);
            data.Add(Manager, path, 200);
            data.Add(Team, path, 403);
            data.Add(GlobexAdmin, path, 404);
            data.Add(Ops, path, 404);
            data.Add(InitechAdmin, path, 404);
            data.Add(InitechAdmin, path.Replace("{acme}", "{initech}", StringComparison.Ordinal), 403);
        }

        data.Add(AcmeAdmin, "/api/orgs/{acme}/events/999999/participants", 404);

        // Alerts and their settings: the administrators' and managers'.
        foreach (var path in new[] { "/api/orgs/{acme}/alerts?state=all", "/api/orgs/{acme}/alert-settings", "/api/orgs/{acme}/pools/SUBSCRIPTION/thresholds", "/api/orgs/{acme}/webhooks" })
        {
            data.Add(Anonymous, path, 401);
            data.Add(AcmeAdmin, path, 200);
            data.Add(Manager, path, 200);
            data.Add(Team, path, 403);
            data.Add(GlobexAdmin, path, 404);
            data.Add(Ops, path, 404);
        }
        data.Add(AcmeAdmin, "/api/orgs/{acme}/events/999999/participants/export?format=csv", 404);

        const string keys = "/api/orgs/{acme}/integration-keys";
        data.Add(Anonymous, keys, 401);
        data.Add(AcmeAdmin, keys, 200);
        data.Add(Manager, keys, 200);
        data.Add(Team, keys, 403);
        data.Add(GlobexAdmin, keys, 404);
        data.Add(Ops, keys, 404);

        const string batch = "/api/orgs/{acme}/participant-batches/unknown";
        data.Add(AcmeAdmin, batch, 404);
        data.Add(Manager, batch, 404);
        data.Add(Team, batch, 403);
        data.Add(GlobexAdmin, batch, 404);

        data.Add(Anonymous, "/api/orgs", 401);
        foreach (var user in new[] { AcmeAdmin, GlobexAdmin, Team, Ops, InitechAdmin })
        {
            data.Add(user, "/api/orgs", 200);
        }

        const string summit = "/api/orgs/{acme}/events/{summit}/entitlements";
        data.Add(Anonymous, summit, 401);
        data.Add(AcmeAdmin, summit, 200);
        data.Add(Manager, summit, 200);
        data.Add(Team, summit, 200);
        data.Add(Team, "/api/orgs/{acme}/events/{launch}/entitlements", 404);
        data.Add(GlobexAdmin, summit, 404);
        data.Add(Ops, summit, 404);
        data.Add(InitechAdmin, summit, 404);
        data.Add(AcmeAdmin, "/api/orgs/{acme}/events/999999/entitlements", 404);
        data.Add(AcmeAdmin, "/openapi/v1.json", 200);
        data.Add(Anonymous, "/api/products", 401);
        foreach (var user in new[] { AcmeAdmin, Manager, Team, Ops, InitechAdmin })
        {
            data.Add(user, "/api/products", 200);
        }

        data.Add(Anonymous, "/health/live", 200);
        data.Add(Anonymous, "/health/ready", 200);
        return data;
    }

    public static TheoryData<string, string, int> Pages()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var path in new[] { "/Orgs/{acme}/Entitlements", "/Orgs/{acme}/Entitlements/Events", "/Orgs/{acme}/Entitlements/Events?status=past&missingOnly=true",
                     "/Orgs/{acme}/Entitlements/History", "/Orgs/{acme}/Entitlements/Transfer?eventId={summit}", "/Orgs/{acme}/Entitlements/Integrations", "/Orgs/{acme}/Entitlements/Integrations/Webhooks", "/Orgs/{acme}/Entitlements/Integrations/Automation",
                     "/Orgs/{acme}/Entitlements/Cover", "/Orgs/{acme}/Entitlements/Cover?eventId={summit}&scope=live",
                     "/Orgs/{acme}/Entitlements/Requests", "/Orgs/{acme}/Entitlements/Requests?state=all" })
        {
            data.Add(Anonymous, path, 302);
            data.Add(AcmeAdmin, path, 200);
            data.Add(Manager, path, 200);
            data.Add(GlobexAdmin, path, 404);
            data.Add(Team, path, 403);
            data.Add(Ops, path, 404);
            data.Add(InitechAdmin, path, 404);
        }

        data.Add(InitechAdmin, "/Orgs/{initech}/Entitlements", 403);
        data.Add(InitechAdmin, "/Orgs/{initech}/Entitlements/Events", 403);
        data.Add(AcmeAdmin, "/Orgs/{acme}/Entitlements/Transfer?eventId=999999", 404);
        data.Add(AcmeAdmin, "/Orgs/{acme}/Entitlements/Cover?eventId=999999", 404);

        const string alertsPage = "/Orgs/{acme}/Entitlements/Alerts";
        data.Add(Anonymous, alertsPage, 302);
        data.Add(AcmeAdmin, alertsPage, 200);
        data.Add(AcmeAdmin, alertsPage + "?state=all", 200);
        data.Add(Manager, alertsPage, 200);
        data.Add(Team, alertsPage, 403);
        data.Add(GlobexAdmin, alertsPage, 404);
        data.Add(AcmeAdmin, "/Orgs/{acme}/Entitlements/Webhooks/999999", 404);
        data.Add(Team, "/Orgs/{acme}/Entitlements/Webhooks/999999", 403);

        const string participantsPage = "/Orgs/{acme}/Events/{summit}/Participants";
        data.Add(Anonymous, participantsPage, 302);
        data.Add(AcmeAdmin, participantsPage, 200);
        data.Add(AcmeAdmin, participantsPage + "?show=not-counted&q=P-", 200);
        data.Add(AcmeAdmin, participantsPage + "?handler=History&participantRef=P-{summit}-0001", 200);
        data.Add(Manager, participantsPage, 200);
        data.Add(Team, participantsPage, 403);
        data.Add(Team, participantsPage + "?handler=History&participantRef=P-{summit}-0001", 403);
        data.Add(GlobexAdmin, participantsPage, 404);
        data.Add(Ops, participantsPage, 404);
        data.Add(InitechAdmin, participantsPage, 404);
        data.Add(AcmeAdmin, "/Orgs/{acme}/Events/999999/Participants", 404);

        const string eventPage = "/Orgs/{acme}/Events/{summit}";
        data.Add(Anonymous, eventPage, 302);
        data.Add(AcmeAdmin, eventPage, 200);
        data.Add(Manager, eventPage, 200);
        data.Add(Team, eventPage, 200);
        data.Add(Team, "/Orgs/{acme}/Events/{launch}", 404);
        data.Add(GlobexAdmin, eventPage, 404);
        data.Add(Ops, eventPage, 404);

        foreach (var user in new[] { AcmeAdmin, GlobexAdmin, Team, Ops, InitechAdmin })
        {
            data.Add(user, "/", 200);
        }

        data.Add(Anonymous, "/", 302);
        data.Add(Anonymous, "/Account/Login", 200);
        data.Add(Anonymous, "/Ops/Purchases", 302);
        data.Add(Ops, "/Ops/Purchases", 200);
        data.Add(AcmeAdmin, "/Ops/Purchases", 403);
        data.Add(Manager, "/Ops/Purchases", 403);
        data.Add(Team, "/Ops/Purchases", 403);

        // The upload of participant changes (GET only leads back to the event page).
        const string upload = "/Orgs/{acme}/Events/{summit}/Upload";
        data.Add(Anonymous, upload, 302);
        data.Add(AcmeAdmin, upload, 302);
        data.Add(Manager, upload, 302);
        data.Add(Team, upload, 403);
        data.Add(GlobexAdmin, upload, 404);

        // Members: the organization's administrators only, activated or not.
        const string membersPage = "/Orgs/{acme}/Members";
        data.Add(Anonymous, membersPage, 302);
        data.Add(AcmeAdmin, membersPage, 200);
        data.Add(Manager, membersPage, 403);
        data.Add(Team, membersPage, 403);
        data.Add(GlobexAdmin, membersPage, 404);
        data.Add(Ops, membersPage, 404);
        data.Add(InitechAdmin, "/Orgs/{initech}/Members", 200);
        data.Add(Anonymous, "/Orgs/{acme}/Audit", 302);
        data.Add(AcmeAdmin, "/Orgs/{acme}/Audit", 200);
        data.Add(Manager, "/Orgs/{acme}/Audit", 403);
        data.Add(Team, "/Orgs/{acme}/Audit", 403);
        data.Add(GlobexAdmin, "/Orgs/{acme}/Audit", 404);

        // Links anyone may open: a bad one says so.
        data.Add(Anonymous, "/Account/Accept?token=forged", 410);
        data.Add(Anonymous, "/Account/Forgot", 200);

        // The Ops console.
        foreach (var path in new[] { "/Ops", "/Ops/Products", "/Ops/Adjustments" })
        {
            data.Add(Anonymous, path, 302);
            data.Add(Ops, path, 200);
            data.Add(AcmeAdmin, path, 403);
            data.Add(Manager, path, 403);
            data.Add(Team, path, 403);
        }

        // The job dashboard, by the Ops policy.
        data.Add(Anonymous, "/hangfire", 302);
        data.Add(AcmeAdmin, "/hangfire", 403);
        data.Add(Manager, "/hangfire", 403);
        data.Add(Team, "/hangfire", 403);
        data.Add(Ops, "/hangfire", 200);
        return data;
    }

    [Theory]
    [MemberData(nameof(ApiReads))]
    public async Task Api_Get_AnswersByRole(string user, string path, int expected)
    {
        await app.EnsureAcmeManager();
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var response = await client.GetAsync(await Resolve(path));
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected >= 400 && path.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_AnswersByRole(string user, string path, int expected)
    {
        await app.EnsureAcmeManager();
        using var client = await app.PagesAs(user == Anonymous ? null : user);
        var response = await client.GetAsync(await Resolve(path));
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 302 && user == Anonymous)
        {
            Assert.StartsWith("/Account/Login", response.Headers.Location?.PathAndQuery ?? response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OrganizationWithoutEntitlements_ExplainsItself_OnThePageAndInTheApi()
    {
        using var pages = await app.PagesAs(InitechAdmin);
        var page = await pages.GetAsync(await Resolve("/Orgs/{initech}/Entitlements"));
        Assert.Contains("Entitlements are not activated for your organization", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var api = await app.ApiAs(InitechAdmin);
        var response = await api.GetAsync(await Resolve("/api/orgs/{initech}/pools"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("entitlements-not-activated", problem.RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(Anonymous, 401)]
    [InlineData(Team, 403)]
    [InlineData(GlobexAdmin, 404)]
    [InlineData(Ops, 404)]
    [InlineData(InitechAdmin, 404)]
    public async Task Api_Transfer_IsRefused_ToAnyoneButTheOrganizationsAdmins(string user, int expected)
    {
        var before = await app.Fingerprint();
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var response = await client.PostAsJsonAsync(await Resolve("/api/orgs/{acme}/events/{summit}/transfers"),
            new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Theory]
    [InlineData(Anonymous, 401)]
    [InlineData(AcmeAdmin, 201)]
    [InlineData(Manager, 201)]
    [InlineData(Team, 403)]
    [InlineData(GlobexAdmin, 404)]
    [InlineData(Ops, 404)]
    [InlineData(InitechAdmin, 404)]
    public async Task Api_CoveragePlan_IsTheOrganizationsAdminsAndManagers(string user, int expected)
    {
        await app.EnsureAcmeManager();
        var before = await app.Fingerprint();
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var response = await client.PostAsJsonAsync(await Resolve("/api/orgs/{acme}/coverage-plans"), new { scope = "all" });
        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Theory]
    [InlineData(Anonymous, 401)]
    [InlineData(AcmeAdmin, 403)]
    [InlineData(Team, 403)]
    [InlineData(Ops, 201)]
    public async Task Api_Purchase_IsForOpsOnly(string user, int expected)
    {
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var response = await client.PostAsJsonAsync(await Resolve("/api/orgs/{globex}/purchases"),
            new { productCode = "GAMIFICATION", quantity = 2, reference = "GLX-TEST", idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Theory]
    [InlineData(Anonymous, "{acme}", 401)]
    [InlineData(AcmeAdmin, "{acme}", 200)]
    [InlineData(Manager, "{acme}", 200)]
    [InlineData(Team, "{acme}", 403)]
    [InlineData(GlobexAdmin, "{acme}", 404)]
    [InlineData(Ops, "{acme}", 404)]
    [InlineData(InitechAdmin, "{initech}", 403)]
    public async Task Api_EventSync_IsForTheOrganizationsManagers(string user, string org, int expected)
    {
        await app.EnsureAcmeManager();
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var before = await app.Fingerprint();
        var body = new { name = "Matrix event", startsAt = "2027-01-10T09:00:00Z", endsAt = "2027-01-11T18:00:00Z", status = "production", modules = Array.Empty<string>() };

        // The reference of an event the demo data's organization already holds, so a success is an update (200).
        var response = await client.PutAsJsonAsync(await Resolve($"/api/orgs/{org}/events/by-ref/matrix-event"), body);
        if (expected == 200 && response.StatusCode == System.Net.HttpStatusCode.Created)
        {
            response = await client.PutAsJsonAsync(await Resolve($"/api/orgs/{org}/events/by-ref/matrix-event"), body);
        }

        Assert.Equal(expected, (int)response.StatusCode);
        if (expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(before, await app.Fingerprint());
        }
    }

    public static TheoryData<string, string, string> OpsWrites()
    {
        var data = new TheoryData<string, string, string>();
        var writes = new[]
        {
            ("POST", "/api/orgs"), ("POST", "/api/products"), ("PUT", "/api/orgs/{acme}/activation"), ("POST", "/api/orgs/{acme}/adjustments"),
            ("POST", "/api/orgs/{acme}/purchases"),
        };
        foreach (var (method, path) in writes)
        {
            foreach (var user in new[] { Anonymous, AcmeAdmin, Manager, Team, InitechAdmin })
            {
                data.Add(user, method, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OpsWrites))]
    public async Task Api_OpsWrites_AreRefusedToEveryoneButOps_AndChangeNothing(string user, string method, string path)
    {
        await app.EnsureAcmeManager();
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var before = await app.Fingerprint();
        var products = await app.WithDb(db => db.Products.CountAsync());
        using var request = new HttpRequestMessage(new HttpMethod(method), await Resolve(path))
        {
            Content = JsonContent.Create(new
            {
                name = "Matrix", code = "MATRIX_PRODUCT", kind = "module", activated = false, productCode = "SUBSCRIPTION", quantity = 5,
                reason = "matrix", reference = "M-1", idempotencyKey = Guid.NewGuid().ToString(),
            }),
        };

        var response = await client.SendAsync(request);

        Assert.Equal(user == Anonymous ? 401 : 403, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await app.Fingerprint());
        Assert.Equal(products, await app.WithDb(db => db.Products.CountAsync()));
        Assert.True(await app.WithDb(db => db.Organizations.Where(o => o.Name == "Acme Events").Select(o => o.EntitlementsActivated).SingleAsync()));
    }

    [Theory]
    [InlineData(Anonymous, 401)]
    [InlineData(Manager, 403)]
    [InlineData(Team, 403)]
    [InlineData(GlobexAdmin, 404)]
    [InlineData(Ops, 404)]
    [InlineData(InitechAdmin, 404)]
    public async Task Api_MemberWrites_AreForTheOrganizationsAdministratorsOnly(string user, int expected)
    {
        await app.EnsureAcmeManager();
        var acme = await app.OrgId("Acme Events");
        var team = await app.WithDb(db => (from m in db.Memberships join u in db.Users on m.UserId equals u.Id where u.Email == "team@acme.test" select m.Id).SingleAsync());
        using var client = user == Anonymous ? app.CreateClient() : await app.ApiAs(user);
        var invitations = await app.WithDb(db => db.Invitations.CountAsync());

        var changed = await client.PutAsJsonAsync($"/api/orgs/{acme}/memberships/{team}", new { role = "OrganizationAdministrator" });
        var reset = await client.PostAsync($"/api/orgs/{acme}/memberships/{team}/password-reset", null);
        var removed = await client.DeleteAsync($"/api/orgs/{acme}/memberships/{team}");

        Assert.Equal((expected, expected, expected), ((int)changed.StatusCode, (int)reset.StatusCode, (int)removed.StatusCode));
        Assert.True(await app.WithDb(db => db.Memberships.AnyAsync(m => m.Id == team && m.Role == EntitlementsLive.Domain.Role.EventTeam)));
        Assert.Equal(invitations, await app.WithDb(db => db.Invitations.CountAsync()));
    }

    [Fact]
    public async Task Login_WithWrongPassword_Answers401_WithoutSayingWhichPartWasWrong()
    {
        using var client = app.CreateClient();
        var wrongPassword = await client.PostAsJsonAsync("/api/auth/login", new { email = "admin@globex.test", password = "nope" });
        var unknownUser = await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@nowhere.test", password = "nope" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal(
            JsonDocument.Parse(await wrongPassword.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(),
            JsonDocument.Parse(await unknownUser.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    private async Task<string> Resolve(string path)
    {
        var acme = await app.OrgId("Acme Events");
        return path
            .Replace("{acme}", acme.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{globex}", (await app.OrgId("Globex Live")).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{initech}", (await app.OrgId("Initech Meetups")).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{summit}", (await app.EventNamed("Acme Summit 2026")).Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{launch}", (await app.EventNamed("Acme Product Launch")).Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
