using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>The pages without a browser: the transfer flow, the Ops purchase form, CSV uploads, sign-in, the chart figures.</summary>
[Collection(AppCollection.Name)]
public class PagesTests(AppFactory app)
{
    [Fact]
    public async Task Home_PointsAtTheLiveEventsMissingEntitlements_AndTheLowestPools_UntilTheyAreCovered()
    {
        var (pages, orgId, eventId) = await app.PagesAdminOf(subscriptions: 10, participants: 25);
        var home = await pages.GetStringAsync("/");
        Assert.Contains($"data-testid=\"attention-missing-{orgId}\"", home, StringComparison.Ordinal);
        Assert.Contains($"href=\"/Orgs/{orgId}/Events/{eventId}\"", home, StringComparison.Ordinal);
        Assert.Matches("Subscription 10 of 10 left", home);

        await app.Purchase(orgId, ProductCodes.Subscription, 15);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 25);
        home = await pages.GetStringAsync("/");
        Assert.Contains($"data-testid=\"attention-covered-{orgId}\"", home, StringComparison.Ordinal);
        Assert.Contains("text-danger fw-semibold\" data-testid=\"attention-pool-SUBSCRIPTION\">Subscription 0 of 25 left", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_ShowsATeamNoEntitlementsBadge_WhileTheOrganizationIsDeactivated()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0, participants: 5);
        using var team = await app.PagesAs(await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        var home = await team.GetStringAsync("/");
        Assert.Contains($"data-testid=\"home-missing-{eventId}\"", home, StringComparison.Ordinal);

        using var ops = await app.ApiAs("ops@platform.test");
        (await ops.PutAsJsonAsync($"/api/orgs/{orgId}/activation", new { activated = false })).EnsureSuccessStatusCode();
        home = await team.GetStringAsync("/");
        Assert.Contains($"data-testid=\"home-not-activated-{eventId}\"", home, StringComparison.Ordinal);
        Assert.DoesNotContain("Missing entitlements", home, StringComparison.Ordinal);
        Assert.DoesNotContain($"home-covered-{eventId}", home, StringComparison.Ordinal);

        (await ops.PutAsJsonAsync($"/api/orgs/{orgId}/activation", new { activated = true })).EnsureSuccessStatusCode();
        Assert.Contains($"data-testid=\"home-missing-{eventId}\"", await team.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choose_Confirm_Records_AndRedirectsToTheEventDetails_OnceEvenIfSubmittedTwice()
    {
        var (client, orgId, eventId) = await app.PagesAdminOf(subscriptions: 20, participants: 12);
        var url = $"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}&product=SUBSCRIPTION";
        var choose = await client.GetStringAsync(url);
        Assert.Contains("value=\"12\"", choose, StringComparison.Ordinal); // defaults to what is missing
        var key = Browserless.Hidden(choose, "IdempotencyKey");
        Assert.NotEmpty(key);

        var review = await Browserless.Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Review",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "12", ["IdempotencyKey"] = key }, choose);
        var confirmHtml = await review.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Contains("data-testid=\"confirm-step\"", confirmHtml, StringComparison.Ordinal);
        Assert.Contains("final", confirmHtml, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));

        var confirm = new Dictionary<string, string> { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "12", ["IdempotencyKey"] = key };
        var first = await Browserless.Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm", new(confirm), confirmHtml);
        var second = await Browserless.Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm", new(confirm), confirmHtml);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal($"/Orgs/{orgId}/Events/{eventId}#entitlements", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));
        var details = await client.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}");
        Assert.Contains("12 Subscriptions transferred to", details, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"missing-SUBSCRIPTION\">0<", details, StringComparison.Ordinal);

        // On the event's own page the transfer reads as what the event received, not as the pool's "−12".
        Assert.Contains("Received <span class=\"tabular\">12 Subscriptions</span>", details, StringComparison.Ordinal);
        Assert.DoesNotContain("−12", details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SUBSCRIPTION", "25", "Only 20 Subscription available")]
    [InlineData("SUBSCRIPTION", "0", "positive whole number")]
    [InlineData("LEAD_RETRIEVAL", "", "already holds")]
    [InlineData("NOPE", "1", "Choose one of your purchased products")]
    public async Task Review_ExplainsARefusal_AndRecordsNothing(string product, string quantity, string message)
    {
        var (client, orgId, eventId) = await app.PagesAdminOf(subscriptions: 20, participants: 12, ProductCodes.LeadRetrieval);
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.LeadRetrieval, null, "held"), "test", CancellationToken.None));
        var before = await app.Fingerprint();
        var choose = await client.GetStringAsync($"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}");

        var review = await Browserless.Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Review",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = product, ["Quantity"] = quantity, ["IdempotencyKey"] = "k" }, choose);
        var html = await review.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Contains("data-testid=\"transfer-error\"", html, StringComparison.Ordinal);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Module_ThroughThePage_TakesNoQuantity_TheSameRuleAsTheApi()
    {
        var (client, orgId, eventId) = await app.PagesAdminOf(subscriptions: 10, participants: 1, ProductCodes.LeadRetrieval);
        var url = $"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}";
        var choose = await client.GetStringAsync(url);
        var before = await app.Fingerprint();

        var crafted = await Browserless.Post(client, url + "&handler=Confirm",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = ProductCodes.LeadRetrieval, ["Quantity"] = "1", ["IdempotencyKey"] = Guid.NewGuid().ToString("N") }, choose);
        Assert.Contains("leave the quantity out", await crafted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());

        var review = await Browserless.Post(client, url + "&handler=Review", new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = ProductCodes.LeadRetrieval,
            ["IdempotencyKey"] = Browserless.Hidden(choose, "IdempotencyKey") }, choose);
        var confirmStep = await review.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"confirm-step\"", confirmStep, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Quantity\"", confirmStep[confirmStep.IndexOf("handler=Confirm", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var confirmed = await Browserless.Post(client, url + "&handler=Confirm", new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = ProductCodes.LeadRetrieval,
            ["IdempotencyKey"] = Browserless.Hidden(confirmStep, "IdempotencyKey") }, confirmStep);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.EventProducts.Where(p => p.EventId == eventId && p.ProductCode == ProductCodes.LeadRetrieval).Select(p => p.Allocated).SingleAsync()));
    }

    [Fact]
    public async Task Confirm_RefusedByTheLedger_ExplainsItself_AndChangesNothing()
    {
        // The balance fell between review and confirmation (another admin): the ledger refuses, the page explains.
        var (client, orgId, eventId) = await app.PagesAdminOf(subscriptions: 10, participants: 10);
        var choose = await client.GetStringAsync($"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}");
        var (_, other) = (0, await app.WithDb(async db =>
        {
            var e = new Event(orgId, "Other", DateTime.UtcNow, DateTime.UtcNow.AddDays(3));
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        }));
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, other, new(ProductCodes.Subscription, 5, "other-admin"), "someone", CancellationToken.None));
        var before = await app.Fingerprint();

        var confirm = await Browserless.Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "10", ["IdempotencyKey"] = Browserless.Hidden(choose, "IdempotencyKey") }, choose);
        var html = await confirm.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("Nothing was transferred.", html, StringComparison.Ordinal);
        Assert.Contains("Only 5 SUBSCRIPTION available", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Confirm_WithoutTheAntiForgeryToken_IsRejected()
    {
        var (client, orgId, eventId) = await app.PagesAdminOf(subscriptions: 10, participants: 2);
        var before = await app.Fingerprint();
        var response = await client.PostAsync($"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "2", ["IdempotencyKey"] = "x",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task OpsPage_RecordsAPurchase_AndRefusesBadInputWithFieldMessages()
    {
        var client = await app.PagesAs("ops@platform.test");
        var globex = await app.OrgId("Globex Live");
        var page = await client.GetStringAsync("/Ops/Purchases");
        var before = await app.Fingerprint();

        var bad = await Browserless.Post(client, "/Ops/Purchases", new()
        {
            ["OrganizationId"] = globex.ToString(CultureInfo.InvariantCulture), ["ProductCode"] = "SUBSCRIPTION", ["Quantity"] = "-4", ["Reference"] = "", ["IdempotencyKey"] = Browserless.Hidden(page, "IdempotencyKey"),
        }, page);
        var badHtml = await bad.Content.ReadAsStringAsync();
        Assert.Contains("Nothing was recorded.", badHtml, StringComparison.Ordinal);
        Assert.Contains("contract reference", badHtml, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());

        var good = await Browserless.Post(client, "/Ops/Purchases", new()
        {
            ["OrganizationId"] = globex.ToString(CultureInfo.InvariantCulture), ["ProductCode"] = "SUBSCRIPTION", ["Quantity"] = "40", ["Reference"] = "GLX-PAGE-1", ["IdempotencyKey"] = Browserless.Hidden(page, "IdempotencyKey"),
        }, page);
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.Reference == "GLX-PAGE-1")));
    }

    private static async Task<HttpResponseMessage> Upload(HttpClient client, string pageUrl, string csv)
    {
        var page = await client.GetStringAsync(pageUrl);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "Upload", "changes.csv");
        form.Add(new StringContent(Browserless.Token(page)), "__RequestVerificationToken");
        return await client.PostAsync(pageUrl + "/Upload", form);
    }

    /// <summary>The upload answers with a redirect to the event page, which shows the outcome once.</summary>
    private static async Task<string> Outcome(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetStringAsync(response.Headers.Location);
    }

    [Fact]
    public async Task CsvUpload_FeedsTheSameBatchPath_AndIsApplied()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5);
        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var client = await app.PagesAs(email);
        var url = $"/Orgs/{orgId}/Events/{eventId}";
        var at = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

        var response = await Upload(client, url, $"changeId,participantRef,type,occurredAt\nu1,ann,added,{at}\nu2,\"bob, jr\",added,{at}\nu3,ann,activated,{at}\n");

        Assert.Contains("3 changes accepted", await Outcome(client, response), StringComparison.Ordinal);
        using var api = await app.ApiAs(email);
        var batchId = await app.WithDb(db => db.ParticipantBatches.Where(b => b.EventId == eventId).Select(b => b.Id).SingleAsync());
        var status = await BatchApi.WaitUntilFinished(api, orgId, batchId);
        Assert.Equal(3, status.GetProperty("applied").GetInt32());
        Assert.Equal(2, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
        Assert.Contains("data-testid=\"batches\"", await client.GetStringAsync(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvUpload_WithBadRows_NamesThem_AndStoresNothing()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5);
        using var client = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var before = await app.WithDb(db => db.ParticipantBatches.CountAsync());

        var response = await Upload(client, $"/Orgs/{orgId}/Events/{eventId}", "changeId,participantRef,type,occurredAt\nu1,ann,added,2026-01-01T00:00:00Z\nu2,bob,vanished,2026-01-01T00:00:00Z\n");
        var html = await Outcome(client, response);

        Assert.Contains("Nothing was stored.", html, StringComparison.Ordinal);
        Assert.Contains("row 2", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDb(db => db.ParticipantBatches.CountAsync()));

        var noHeader = await Upload(client, $"/Orgs/{orgId}/Events/{eventId}", "u1,ann,added,2026-01-01T00:00:00Z\n");
        Assert.Contains("must name the columns", await Outcome(client, noHeader), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTeam_CannotUpload()
    {
        using var client = await app.PagesAs("team@acme.test");
        var summit = await app.EventNamed("Acme Summit 2026");
        var page = await client.GetStringAsync($"/Orgs/{summit.OrganizationId}/Events/{summit.Id}");
        Assert.DoesNotContain("data-testid=\"upload-file\"", page, StringComparison.Ordinal);
        var response = await Upload(client, $"/Orgs/{summit.OrganizationId}/Events/{summit.Id}", "changeId,participantRef,type,occurredAt\nx,y,added,2026-01-01T00:00:00Z\n");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task SignInPage_SaysTheSame_ForAWrongPassword_AnUnknownEmail_AndALockedAccount()
    {
        var email = await app.NewUser(u => Membership.Ops(u));
        string Error(string html) => System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"login-error\">([^<]*)<").Groups[1].Value;
        async Task<string> Attempt(string who, string password)
        {
            using var client = await app.PagesAs(null);
            var token = await Browserless.AntiForgery(client, "/Account/Login");
            var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = who, ["Password"] = password, ["__RequestVerificationToken"] = token,
            }));
            return Error(await response.Content.ReadAsStringAsync());
        }

        var unknown = await Attempt("nobody@nowhere.test", "nope");
        for (var i = 0; i < 6; i++)
        {
            await Attempt(email, "wrong");
        }

        var locked = await Attempt(email, Demo.DemoSeeder.Password);
        Assert.NotEmpty(unknown);
        Assert.Equal(unknown, locked);
    }

    [Fact]
    public async Task ConsumptionFigures_FollowEveryChange()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 20, participants: 6);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        async Task<(long Allocated, long Required, long Missing)> Read()
        {
            var rows = await pages.GetFromJsonAsync<JsonElement>($"/Orgs/{orgId}/Entitlements?handler=Consumption");
            var subscription = rows.EnumerateArray().Single(r => r.GetProperty("productCode").GetString() == ProductCodes.Subscription);
            return (subscription.GetProperty("allocated").GetInt64(), subscription.GetProperty("required").GetInt64(), subscription.GetProperty("missing").GetInt64());
        }

        Assert.Equal((0L, 6L, 6L), await Read());
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.Subscription, 4, "c1"), "test", CancellationToken.None));
        Assert.Equal((4L, 6L, 2L), await Read());
        await app.With<Features.Participants.ApplyParticipantChanges, Features.Participants.ParticipantChangesResult>(h =>
            h.Handle(orgId, eventId, [new("more-1", "late-arrival", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        Assert.Equal((4L, 7L, 3L), await Read());
    }
}
