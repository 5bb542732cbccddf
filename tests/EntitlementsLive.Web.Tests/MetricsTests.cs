using System.Net;

namespace EntitlementsLive.Web.Tests;

/// <summary>/metrics: Prometheus text for Ops (and for a scraper on the node itself), nobody else.</summary>
[Collection(AppCollection.Name)]
public class MetricsTests(AppFactory app)
{
    [Fact]
    public async Task Ops_ReadTheMetrics_OthersDoNot()
    {
        // Something to measure: a transfer pushes outbox messages.
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 2);
        await using var screen = await LiveClient.Connect(app, await app.NewUser(u => Domain.Membership.Administrator(u, orgId)));
        await app.Transfer(orgId, eventId, Domain.ProductCodes.Subscription, 2);
        await screen.WaitFor("TransactionRecorded", m => m.GetProperty("orgId").GetInt32() == orgId);

        using var ops = await app.ApiAs("ops@platform.test");
        var response = await ops.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var metric in new[] { "entitlementslive_live_commit_to_push_milliseconds_bucket", "entitlementslive_live_connections", "entitlementslive_outbox_lag",
                     "entitlementslive_participants_batches_queued", "entitlementslive_jobs_failed", "entitlementslive_webhooks_pending" })
        {
            Assert.Contains(metric, text, StringComparison.Ordinal);
        }

        Assert.Contains("node=\"", text, StringComparison.Ordinal);

        using var admin = await app.ApiAs("admin@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/metrics")).StatusCode);
        using var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/metrics")).StatusCode); // to the sign-in page, like any page
    }
}
