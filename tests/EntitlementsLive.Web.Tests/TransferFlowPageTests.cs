using System.Globalization;
using System.Net;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>The transfer flow through the pages: choose, confirm, record once, or explain a refusal and change nothing.</summary>
[Collection(AppCollection.Name)]
public class TransferFlowPageTests(AppFactory app)
{
    private async Task<(HttpClient Client, int OrgId, int EventId)> AdminOfNewOrganization(long subscriptions, int participants, params string[] modules)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions, participants, modules: modules);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var adminId = await db.Users.Where(u => u.Email == "admin@globex.test").Select(u => u.Id).SingleAsync();
        db.Memberships.Add(Membership.Administrator(adminId, orgId));
        await db.SaveChangesAsync();
        return (await app.PagesAs("admin@globex.test"), orgId, eventId);
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string url, Dictionary<string, string> form, string pageHtml)
    {
        form["__RequestVerificationToken"] = Browserless.Token(pageHtml);
        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    [Fact]
    public async Task Choose_Confirm_Records_AndRedirectsToTheEventDetails_OnceEvenIfSubmittedTwice()
    {
        var (client, orgId, eventId) = await AdminOfNewOrganization(subscriptions: 20, participants: 12);
        var url = $"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}&product=SUBSCRIPTION";
        var choose = await client.GetStringAsync(url);
        Assert.Contains("value=\"12\"", choose, StringComparison.Ordinal); // defaults to what is missing
        var key = Browserless.Hidden(choose, "IdempotencyKey");
        Assert.NotEmpty(key);

        var review = await Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Review",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "12", ["IdempotencyKey"] = key }, choose);
        var confirmHtml = await review.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Contains("data-testid=\"confirm-step\"", confirmHtml, StringComparison.Ordinal);
        Assert.Contains("final", confirmHtml, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));

        var confirm = new Dictionary<string, string> { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = "SUBSCRIPTION", ["Quantity"] = "12", ["IdempotencyKey"] = key };
        var first = await Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm", new(confirm), confirmHtml);
        var second = await Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm", new(confirm), confirmHtml);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal($"/Orgs/{orgId}/Events/{eventId}#entitlements", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));
        var details = await client.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}");
        Assert.Contains("12 Subscription transferred to", details, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"missing-SUBSCRIPTION\">0<", details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SUBSCRIPTION", "25", "Only 20 Subscription available")]
    [InlineData("SUBSCRIPTION", "0", "positive whole number")]
    [InlineData("LEAD_RETRIEVAL", "", "already holds")]
    [InlineData("NOPE", "1", "Choose one of your purchased products")]
    public async Task Review_ExplainsARefusal_AndRecordsNothing(string product, string quantity, string message)
    {
        var (client, orgId, eventId) = await AdminOfNewOrganization(subscriptions: 20, participants: 12, ProductCodes.LeadRetrieval);
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.LeadRetrieval, null, "held"), "test", CancellationToken.None));
        var before = await app.Fingerprint();
        var choose = await client.GetStringAsync($"/Orgs/{orgId}/Entitlements/Transfer?eventId={eventId}");

        var review = await Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Review",
            new() { ["eventId"] = eventId.ToString(CultureInfo.InvariantCulture), ["product"] = product, ["Quantity"] = quantity, ["IdempotencyKey"] = "k" }, choose);
        var html = await review.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Contains("data-testid=\"transfer-error\"", html, StringComparison.Ordinal);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Confirm_RefusedByTheLedger_ExplainsItself_AndChangesNothing()
    {
        // The balance fell between review and confirmation (another admin): the ledger refuses, the page explains.
        var (client, orgId, eventId) = await AdminOfNewOrganization(subscriptions: 10, participants: 10);
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

        var confirm = await Post(client, $"/Orgs/{orgId}/Entitlements/Transfer?handler=Confirm",
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
        var (client, orgId, eventId) = await AdminOfNewOrganization(subscriptions: 10, participants: 2);
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

        var bad = await Post(client, "/Ops/Purchases", new()
        {
            ["OrganizationId"] = globex.ToString(CultureInfo.InvariantCulture), ["ProductCode"] = "SUBSCRIPTION", ["Quantity"] = "-4", ["Reference"] = "", ["IdempotencyKey"] = Browserless.Hidden(page, "IdempotencyKey"),
        }, page);
        var badHtml = await bad.Content.ReadAsStringAsync();
        Assert.Contains("Nothing was recorded.", badHtml, StringComparison.Ordinal);
        Assert.Contains("contract reference", badHtml, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());

        var good = await Post(client, "/Ops/Purchases", new()
        {
            ["OrganizationId"] = globex.ToString(CultureInfo.InvariantCulture), ["ProductCode"] = "SUBSCRIPTION", ["Quantity"] = "40", ["Reference"] = "GLX-PAGE-1", ["IdempotencyKey"] = Browserless.Hidden(page, "IdempotencyKey"),
        }, page);
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.Reference == "GLX-PAGE-1")));
    }
}
