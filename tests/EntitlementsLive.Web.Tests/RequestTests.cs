using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Rule 15: the banner's request, approved in one step, declined with a reason, fulfilled by any cover.</summary>
[Collection(AppCollection.Name)]
public class RequestTests(AppFactory app)
{
    [Fact]
    public async Task ATeamAsks_AnAdminOnAnotherScreenSeesIt_Approves_AndTheRequestReadsFulfilled()
    {
        var (admin, orgId, eventId, team, teamEmail, adminEmail) = await Scene(subscriptions: 50, participants: 12);
        await using var adminScreen = await LiveClient.Connect(app, adminEmail);
        await using var teamScreen = await LiveClient.Connect(app, teamEmail);

        var asked = await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { note = "Registrations opened early" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var request = await asked.Content.ReadFromJsonAsync<JsonElement>();
        var id = request.GetProperty("id").GetInt64();
        Assert.Equal("open", request.GetProperty("status").GetString());
        Assert.Equal(teamEmail, request.GetProperty("requestedBy").GetProperty("email").GetString());
        Assert.Equal(12, request.GetProperty("missing")[0].GetProperty("missing").GetInt64());
        await adminScreen.WaitFor("EntitlementRequestChanged", m => m.GetProperty("request").GetProperty("id").GetInt64() == id);

        // Asking again keeps the one open request.
        var again = await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/entitlement-requests?state=open")).EnumerateArray());

        var key = Guid.NewGuid().ToString();
        var approved = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/approve", new { idempotencyKey = key });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var answer = await approved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("fulfilled", answer.GetProperty("request").GetProperty("status").GetString());
        Assert.Equal(adminEmail, answer.GetProperty("request").GetProperty("resolvedBy").GetProperty("email").GetString());
        Assert.Equal(12, answer.GetProperty("transactions")[0].GetProperty("quantity").GetInt64());
        Assert.Empty(answer.GetProperty("shortfall").EnumerateArray());

        // The team hears it on its own screen: covered, and its request fulfilled.
        await teamScreen.WaitFor("EventCoverageChanged", m => m.GetProperty("eventId").GetInt32() == eventId && !m.GetProperty("missing").GetBoolean());
        await teamScreen.WaitFor("EntitlementRequestChanged", m => m.GetProperty("request").GetProperty("status").GetString() == "fulfilled");

        // Approving again with the key records nothing more and answers the same transfers.
        var repeat = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/approve", new { idempotencyKey = key });
        Assert.Equal(answer.GetProperty("transactions")[0].GetProperty("id").GetInt64(), (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions")[0].GetProperty("id").GetInt64());
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));
        var audit = await app.WithDb(db => db.AuditEntries.Where(a => a.OrganizationId == orgId).Select(a => a.Action).ToListAsync());
        Assert.Contains(AuditAction.RequestOpened, audit);
        Assert.Contains(AuditAction.RequestApproved, audit);
        Assert.Contains(AuditAction.RequestFulfilled, audit);
    }

    [Fact]
    public async Task ADecline_ShowsItsReasonToTheRequester_AndARequestIsFulfilledWhenAnotherAdminCoversByHand()
    {
        var (admin, orgId, eventId, team, _, _) = await Scene(subscriptions: 50, participants: 5);
        var id = (await (await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var noReason = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/decline", new { reason = " " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        var declined = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/decline", new { reason = "The budget is spent until January." });
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        var seen = (await team.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests"))[0];
        Assert.Equal(("declined", "The budget is spent until January."), (seen.GetProperty("status").GetString(), seen.GetProperty("reason").GetString()));
        var twice = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/approve", new { idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        // A new request, then another admin covers the event by hand: fulfilled by itself.
        var second = (await (await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.NotEqual(id, second);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 5);
        var latest = (await team.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests"))[0];
        Assert.Equal((second, "fulfilled"), (latest.GetProperty("id").GetInt64(), latest.GetProperty("status").GetString()));

        // Nothing is missing any more: nothing to ask for.
        var covered = await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { });
        Assert.Equal(HttpStatusCode.Conflict, covered.StatusCode);
        Assert.Equal(ErrorCodes.EventCovered, (await covered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task OtherEventsTeams_OtherOrganizationsAdmins_AndADeactivatedOrganizationsTeam_CanNeitherAskNorRead()
    {
        var (_, orgId, eventId, _, _, _) = await Scene(subscriptions: 10, participants: 3);
        var otherEvent = await app.NewOrganizationEvent(orgId);
        using var otherTeam = await app.ApiAs(await app.NewUser(u => Membership.Team(u, orgId, otherEvent)));
        var (otherAdmin, _, _) = await app.ApiAdminOf(subscriptions: 1);
        var path = $"/api/orgs/{orgId}/events/{eventId}/entitlement-requests";

        Assert.Equal(HttpStatusCode.NotFound, (await otherTeam.PostAsJsonAsync(path, new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherTeam.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.PostAsJsonAsync(path, new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.GetAsync($"/api/orgs/{orgId}/entitlement-requests")).StatusCode);

        var (_, offOrg, offEvent) = await app.ApiAdminOf(subscriptions: 1);
        using var offTeam = await app.ApiAs(await app.NewUser(u => Membership.Team(u, offOrg, offEvent)));
        await app.WithDb(async db =>
        {
            (await db.Organizations.SingleAsync(o => o.Id == offOrg)).Activate(false);
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Forbidden, (await offTeam.PostAsJsonAsync($"/api/orgs/{offOrg}/events/{offEvent}/entitlement-requests", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await offTeam.GetAsync($"/api/orgs/{offOrg}/events/{offEvent}/entitlement-requests")).StatusCode);
        Assert.Equal(0, await app.WithDb(db => db.EntitlementRequests.CountAsync(r => r.OrganizationId == orgId || r.OrganizationId == offOrg)));

        using var team = await app.ApiAs(await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        Assert.Equal(HttpStatusCode.Forbidden, (await team.GetAsync($"/api/orgs/{orgId}/entitlement-requests")).StatusCode);
    }

    [Fact]
    public async Task OnThePages_TheTeamAsksFromTheBanner_AndReadsTheDeclineAndItsReason()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        using var team = await app.PagesAs(teamEmail);
        var url = $"/Orgs/{orgId}/Events/{eventId}";
        var page = await team.GetStringAsync(url);
        Assert.Contains("data-testid=\"ask-form\"", page, StringComparison.Ordinal);

        var asked = await Browserless.Post(team, url, new() { ["note"] = "Please, before Friday" }, page);
        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        page = await team.GetStringAsync(url);
        Assert.Contains("waiting for an administrator", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"ask-done\"", page, StringComparison.Ordinal);
        var bad = await Browserless.Post(team, url, new() { ["note"] = "hidden \u202E text" }, page);
        Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        Assert.Single(await app.WithDb(db => db.EntitlementRequests.Where(r => r.EventId == eventId).ToListAsync()));

        using var admin = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var requestsUrl = $"/Orgs/{orgId}/Entitlements/Requests";
        var list = await admin.GetStringAsync(requestsUrl);
        Assert.Contains("Please, before Friday", list, StringComparison.Ordinal);
        var id = await app.WithDb(db => db.EntitlementRequests.Where(r => r.EventId == eventId).Select(r => r.Id).SingleAsync());
        var empty = await Browserless.Post(admin, requestsUrl + "?handler=Decline", new() { ["requestId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["reason"] = "" }, list);
        Assert.Contains("data-testid=\"request-error\"", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var declined = await Browserless.Post(admin, requestsUrl + "?handler=Decline", new() { ["requestId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["reason"] = "Next quarter." }, list);
        Assert.Equal(HttpStatusCode.Redirect, declined.StatusCode);
        Assert.Contains(": Next quarter.", await team.GetStringAsync(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestsMessages_AreTheWebhookEventsOpenedAndResolved()
    {
        var (admin, orgId, eventId, team, _, _) = await Scene(subscriptions: 10, participants: 3);
        var id = (await (await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/decline", new { reason = "No." });

        var rows = await app.WithDb(db => db.Outbox.AsNoTracking().Where(m => m.OrganizationId == orgId && m.Type == MessageTypes.EntitlementRequestChanged).OrderBy(m => m.Sequence).ToListAsync());
        Assert.Equal([WebhookEvents.RequestOpened, WebhookEvents.RequestResolved], rows.Select(WebhookEvents.Of));
        Assert.All(rows, r => Assert.Equal(eventId, r.EventId));
    }

    /// <summary>An organization with one event missing <paramref name="participants"/> subscriptions, its admin and a member of the event's team.</summary>
    private async Task<(HttpClient Admin, int OrgId, int EventId, HttpClient Team, string TeamEmail, string AdminEmail)> Scene(long subscriptions, int participants)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions, participants);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        return (await app.ApiAs(adminEmail), orgId, eventId, await app.ApiAs(teamEmail), teamEmail, adminEmail);
    }
}
