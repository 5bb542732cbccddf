using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using StandardWebhooks;

namespace EntitlementsLive.Web.Tests;

/// <summary>Webhooks: queued from the outbox, signed per Standard Webhooks, retried with back-off, redelivered on demand, never to private targets by default.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookTests(AppFactory shared) : IAsyncLifetime, IDisposable
{
    private static readonly string[] AlertRaised = ["alert.raised"];
    private static readonly string[] Everything = ["alert.everything"];
    private readonly HookedApp _app = new();
    private readonly Receiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => _app.Dispose();

    private async Task<(HttpClient Api, int OrgId, int EventId, string Secret, int WebhookId)> Subscribed(string path, params string[] events)
    {
        var (api, orgId, eventId) = await _app.ApiAdminOf(subscriptions: 100);
        var created = await api.PostAsJsonAsync($"/api/orgs/{orgId}/webhooks", new { url = _receiver.Url + path, events });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        return (api, orgId, eventId, body.GetProperty("secret").GetString()!, body.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task TheReceiver_GetsEachEventOnce_WithAValidSignature()
    {
        var (api, orgId, eventId, secret, webhookId) = await Subscribed("/ok", "alert.raised", "alert.resolved", "transaction.recorded");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await _app.WithDb(async db =>
        {
            var e = await db.Events.SingleAsync(x => x.Id == eventId);
            e.ApplyCounters(new CounterDelta(50, 0));
            return await db.SaveChangesAsync();
        });
        await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { available = 95 } } });

        await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 10); // a transaction, and the pool falls to 90: raised
        await _app.Purchase(orgId, ProductCodes.Subscription, 20);          // a transaction, and the pool rises to 110: resolved

        var received = await _receiver.WaitFor("/ok", 4);
        await Task.Delay(1_500);
        Assert.Equal(4, _receiver.At("/ok").Count);
        var verifier = new StandardWebhook(secret);
        foreach (var request in received)
        {
            verifier.Verify(request.Body, request.Headers);
        }

        Assert.Equal(4, received.Select(r => r.Headers["webhook-id"].ToString()).Distinct().Count());
        var types = received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).Order().ToList();
        Assert.Equal(["alert.raised", "alert.resolved", "transaction.recorded", "transaction.recorded"], types);
        var raised = received.Select(r => JsonDocument.Parse(r.Body).RootElement).Single(r => r.GetProperty("type").GetString() == "alert.raised");
        Assert.Equal("pool-low", raised.GetProperty("data").GetProperty("alert").GetProperty("kind").GetString());

        // A forged signature does not verify.
        var forged = received[0];
        Assert.ThrowsAny<Exception>(() => new StandardWebhook("whsec_" + Convert.ToBase64String(new byte[32])).Verify(forged.Body, forged.Headers));

        var deliveries = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries")).EnumerateArray().ToList();
        Assert.Equal(4, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(("succeeded", 200, 1), (d.GetProperty("status").GetString(), d.GetProperty("lastStatusCode").GetInt32(), d.GetProperty("attempts").GetInt32())));
    }

    [Fact]
    public async Task AReceiverThatFailsTwice_ShowsBothFailuresAndTheSuccess_AtTheAttemptsEndpointAndOnTheDeliveriesPage()
    {
        _receiver.FailFirst("/twice", 2);
        var (api, orgId, _, _, webhookId) = await Subscribed("/twice", "transaction.recorded");
        await _app.Purchase(orgId, ProductCodes.Subscription, 5);
        var delivery = await WaitForStatus(api, orgId, webhookId, "succeeded");
        var deliveryId = delivery.GetProperty("id").GetInt64();

        var attempts = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries/{deliveryId}/attempts");
        Assert.Equal([500, 500, 200], attempts.EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.All(attempts.EnumerateArray().Take(2), a => Assert.Contains("500", a.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, attempts[2].GetProperty("error").ValueKind);
        Assert.True(attempts[0].GetProperty("at").GetDateTime() <= attempts[2].GetProperty("at").GetDateTime());
        Assert.All(attempts.EnumerateArray(), a => Assert.True(a.GetProperty("durationMs").GetInt32() >= 0));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries/999999/attempts")).StatusCode);

        using var pages = await _app.PagesAs(await _app.NewUser(u => Membership.Administrator(u, orgId)));
        var page = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements/Webhooks/{webhookId}");
        var shown = page[page.IndexOf($"data-testid=\"attempts-{deliveryId}\"", StringComparison.Ordinal)..];
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(shown[..shown.IndexOf("</details>", StringComparison.Ordinal)], "The receiver answered 500"));
    }

    [Fact]
    public async Task AReceiverThatFailsThreeTimes_GetsItOnTheFourthTry_AndRedeliverSendsItAgain()
    {
        _receiver.FailFirst("/flaky", 3);
        var (api, orgId, _, secret, webhookId) = await Subscribed("/flaky", "transaction.recorded");

        await _app.Purchase(orgId, ProductCodes.Subscription, 5);

        var attempts = await _receiver.WaitFor("/flaky", 4);
        Assert.Single(attempts.Select(a => a.Headers["webhook-id"].ToString()).Distinct());
        Assert.Equal([500, 500, 500, 200], attempts.Select(a => a.Answered));
        var delivery = await WaitForStatus(api, orgId, webhookId, "succeeded");
        Assert.Equal(4, delivery.GetProperty("attempts").GetInt32());

        var redelivered = await api.PostAsync($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries/{delivery.GetProperty("id").GetInt64()}/redeliver", null);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);

        var again = await _receiver.WaitFor("/flaky", 5);
        Assert.Equal(attempts[0].Headers["webhook-id"].ToString(), again[4].Headers["webhook-id"].ToString());
        new StandardWebhook(secret).Verify(again[4].Body, again[4].Headers);
        Assert.Equal(5, (await WaitForStatus(api, orgId, webhookId, "succeeded", attempts: 5)).GetProperty("attempts").GetInt32());

        // A delivery still being sent (retries pending) is not sent twice at once: redelivery waits until it finished.
        var id = delivery.GetProperty("id").GetInt64();
        await _app.WithDb(db => db.WebhookDeliveries.Where(d => d.Id == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, Data.DeliveryStatus.Pending)));
        var whilePending = await api.PostAsync($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries/{id}/redeliver", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, whilePending.StatusCode);
    }

    [Fact]
    public async Task PrivateAndLoopbackTargets_AreRefused_AndAnotherOrganizationSeesNothing()
    {
        var (api, orgId, _) = await shared.ApiAdminOf(subscriptions: 1);
        foreach (var url in new[] { "http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://192.168.1.10/hook", "http://169.254.169.254/latest",
                     "http://[::1]/hook", "http://[fd00::1]/hook", "http://[64:ff9b::a00:1]/hook", "http://[2002:c0a8:101::1]/hook", "http://[::ffff:10.0.0.1]/hook",
                     "ftp://example.com/hook", "http://user:pw@example.com/hook", "not a url", "http://" + string.Join(".", Enumerable.Repeat(new string('a', 60), 5)) + "/hook" })
        {
            var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/webhooks", new { url, events = AlertRaised });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("url", out _), url);
        }

        var badEvents = await api.PostAsJsonAsync($"/api/orgs/{orgId}/webhooks", new { url = "https://example.com/hook", events = Everything });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badEvents.StatusCode);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/webhooks")).EnumerateArray());

        var (_, hookedOrg, _, _, webhookId) = await Subscribed("/ok", "alert.raised");
        var (other, _, _) = await _app.ApiAdminOf(subscriptions: 1);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/orgs/{hookedOrg}/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/orgs/{hookedOrg}/webhooks/{webhookId}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/orgs/{hookedOrg}/webhooks/{webhookId}")).StatusCode);
    }

    [Fact]
    public async Task TheIntegrationsPage_AddsAWebhook_ShowsItsSecretOnce_AndListsItsDeliveries()
    {
        var orgId = await _app.OrgId("Globex Live");
        using var pages = await _app.PagesAs("admin@globex.test");
        var page = $"/Orgs/{orgId}/Entitlements/Integrations/Webhooks";
        var html = await pages.GetStringAsync(page);

        var refused = await Browserless.Post(pages, page, new() { ["WebhookUrl"] = "ftp://nope", ["WebhookEvents"] = "alert.raised" }, html);
        Assert.Contains("data-testid=\"webhook-error\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var added = await Browserless.Post(pages, page, new() { ["WebhookUrl"] = _receiver.Url + "/page", ["WebhookEvents"] = "transaction.recorded" }, html);
        var addedHtml = await added.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"webhook-secret\"", addedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", await pages.GetStringAsync(page), StringComparison.Ordinal);

        await _app.Purchase(orgId, ProductCodes.Subscription, 1);
        await _receiver.WaitFor("/page", 1);
        var webhookId = System.Text.RegularExpressions.Regex.Match(addedHtml, @"/Entitlements/Webhooks/(\d+)").Groups[1].Value;
        var deliveries = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements/Webhooks/{webhookId}");
        Assert.Contains("transaction.recorded", deliveries, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"redeliver\"", deliveries, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitForStatus(HttpClient api, int orgId, int webhookId, string status, int attempts = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            // The delivery is made when the outbox is drained, after the write answered: there may be none yet.
            var delivery = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/webhooks/{webhookId}/deliveries")).EnumerateArray().FirstOrDefault();
            if (delivery.ValueKind == JsonValueKind.Object && delivery.GetProperty("status").GetString() == status && delivery.GetProperty("attempts").GetInt32() >= attempts)
            {
                return delivery;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The delivery stayed {delivery}");
            await Task.Delay(100);
        }
    }

    private sealed class HookedApp : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:RetryBaseSeconds"] = "0.2",
        };
    }

    /// <summary>A local webhook receiver: records every request, and can answer 500 to the first N on a path.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<Received>> _byPath = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
        private WebApplication? _web;

        public string Url { get; private set; } = "";

        public void FailFirst(string path, int times) => _failures[path] = times;

        public List<Received> At(string path) => [.. _byPath.GetOrAdd(path, _ => new())];

        public async Task<List<Received>> WaitFor(string path, int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (At(path).Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{path} received {At(path).Count} of {count} requests");
                await Task.Delay(50);
            }

            return At(path);
        }

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _web = builder.Build();
            _web.MapPost("/{name}", async (string name, HttpRequest request) =>
            {
                var path = "/" + name;
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                var left = _failures.GetValueOrDefault(path);
                var failing = left > 0;
                _failures[path] = Math.Max(0, left - 1);
                var headers = new HeaderDictionary();
                foreach (var (key, value) in request.Headers)
                {
                    headers[key] = value;
                }

                var answered = failing ? 500 : 200;
                _byPath.GetOrAdd(path, _ => new()).Enqueue(new Received(body, headers, answered));
                return Results.StatusCode(answered);
            });
            await _web.StartAsync();
            Url = _web.Urls.First();
        }

        public async ValueTask DisposeAsync()
        {
            if (_web is not null)
            {
                await _web.DisposeAsync();
            }
        }
    }

    private sealed record Received(string Body, IHeaderDictionary Headers, int Answered);
}
