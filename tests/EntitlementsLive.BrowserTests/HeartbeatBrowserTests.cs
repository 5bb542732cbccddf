using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>The demo data with a heartbeat every second, so a quiet is short enough to wait out.</summary>
public sealed class HeartbeatFixture : BrowserFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Live:HeartbeatSeconds"] = "1" };
}

/// <summary>live.js follows the heartbeat: a page whose last pushes were lost before a quiet resumes and shows them.</summary>
[Collection(BrowserCollection.Name)]
public class HeartbeatBrowserTests(HeartbeatFixture fx) : IClassFixture<HeartbeatFixture>
{
    [Fact]
    public async Task APageThatLostTheLastPushesBeforeAQuiet_ShowsThemAfterTheNextHeartbeat_WithoutAReload()
    {
        // Between the page and the hub: once told to, every message the server pushes is lost on the way (a backplane
        // hiccup, say) until a heartbeat comes after a loss. Pings, answers and the heartbeat itself pass.
        var context = await fx.NewContext();
        var losing = false;
        var lost = 0;
        var heartbeatsAfterLoss = 0;
        await context.RouteWebSocketAsync("**/hubs/entitlements**", page =>
        {
            var server = page.ConnectToServer();
            page.OnMessage(frame => Forward(server, frame));
            server.OnMessage(frame =>
            {
                if (frame.Text is not { } text)
                {
                    Forward(page, frame);
                    return;
                }

                if (text.Contains("\"target\":\"Heartbeat\"", StringComparison.Ordinal))
                {
                    if (Volatile.Read(ref lost) > 0 && losing)
                    {
                        losing = false;
                        Interlocked.Increment(ref heartbeatsAfterLoss);
                    }
                }
                else if (losing && text.Contains("\"type\":1,", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref lost);
                    return;
                }

                page.Send(text);
            });
        });

        var admin = await fx.SignedIn("admin@acme.test", context);
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        var orgId = int.Parse(new Uri(admin.Url).AbsolutePath.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
        await admin.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
        var before = await admin.EvaluateAsync<long>("() => Number(document.querySelector('[data-pool=SUBSCRIPTION] [data-field=available]').textContent.replace(/[^0-9-]/g, ''))");
        var navigations = 0;
        admin.FrameNavigated += (_, _) => navigations++;

        // A transfer from elsewhere (the API); every message it pushes to this page is lost.
        losing = true;
        using var api = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        var login = await api.PostAsJsonAsync("/api/auth/login", new { email = "admin@acme.test", password = "Demo!2345" });
        api.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        var summit = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events?status=live")).EnumerateArray()
            .First(e => e.GetProperty("name").GetString() == "Acme Summit 2026").GetProperty("id").GetInt32();
        var transfer = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{summit}/transfers",
            new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = Guid.NewGuid().ToString("N") });
        Assert.Equal(System.Net.HttpStatusCode.Created, transfer.StatusCode);

        // The sentinel is the lost figure itself on the page: only the heartbeat's resume can bring it back (nothing else
        // changes, the page does not reload).
        await admin.WaitForFunctionAsync(
            $"() => Number(document.querySelector('[data-pool=SUBSCRIPTION] [data-field=available]').textContent.replace(/[^0-9-]/g, '')) === {before - 1}",
            null, new() { Timeout = 15_000, PollingInterval = 50 });
        Assert.True(lost >= 1, $"{lost} messages were lost");
        Assert.Equal(1, heartbeatsAfterLoss);
        Assert.Equal(0, navigations);
        await context.CloseAsync();
    }

    private static void Forward(IWebSocketRoute to, IWebSocketFrame frame)
    {
        if (frame.Text is { } text)
        {
            to.Send(text);
        }
        else
        {
            to.Send(frame.Binary ?? []);
        }
    }
}
