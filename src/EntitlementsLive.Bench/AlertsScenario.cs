using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EntitlementsLive.Bench;

/// <summary>
/// Rule 13 end to end: corrections that cross a pool's level down and up again, one at a time, and how long from the
/// ledger's commit each alert takes to reach an admin's screen (AlertRaised / AlertResolved) and a webhook receiver.
/// </summary>
public static class AlertsScenario
{
    private static readonly string[] AlertEvents = ["alert.raised", "alert.resolved"];

    public static async Task Run(BenchOptions o, Report report, string workDir, string webDll)
    {
        var file = Path.Combine(workDir, "alerts.db");
        int org;
        await using (var data = await InProcess.CreateAsync(file))
        {
            org = await data.Organization("Alerts org", 1_000);
            await data.User("admin@alerts.test", u => Membership.Administrator(u, org));
            await data.User("ops@alerts.test", Membership.Ops);
        }

        // A webhook receiver on loopback (allowed for this run only).
        using var listener = new HttpListener();
        var port = AppProcess.FreePort();
        listener.Prefixes.Add(FormattableString.Invariant($"http://127.0.0.1:{port}/"));
        listener.Start();
        var hooks = new ConcurrentQueue<(DateTime ReceivedAt, JsonElement Body)>();
        using var stopReceiving = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            while (!stopReceiving.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (stopReceiving.IsCancellationRequested)
                {
                    return;
                }

                var now = Clock.UtcNow;
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    hooks.Enqueue((now, JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone()));
                }

                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });

        await using var app = await AppProcess.StartAsync(webDll, file, "--Jobs:Recurring=false --Webhooks:AllowPrivateNetworks=true");
        using var login = Api.Client(app.BaseUrl);
        using var admin = Api.Client(app.BaseUrl, await Api.Login(login, "admin@alerts.test"));
        using var ops = Api.Client(app.BaseUrl, await Api.Login(login, "ops@alerts.test"));
        (await admin.PutAsJsonAsync($"/api/orgs/{org}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { available = 500 } } })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/orgs/{org}/webhooks", new { url = FormattableString.Invariant($"http://127.0.0.1:{port}/hook"), events = AlertEvents }))
            .EnsureSuccessStatusCode();

        var screen = new ConcurrentQueue<(DateTime ReceivedAt, string Type, JsonElement Message)>();
        var token = await Api.Login(login, "admin@alerts.test");
        await using var connection = new HubConnectionBuilder()
            .WithUrl(app.BaseUrl + "/hubs/entitlements", opts =>
            {
                opts.Transports = HttpTransportType.WebSockets;
                opts.SkipNegotiation = true;
                opts.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        foreach (var type in new[] { "AlertRaised", "AlertResolved" })
        {
            connection.On<JsonElement>(type, m => screen.Enqueue((Clock.UtcNow, type, m.Clone())));
        }

        await connection.StartAsync();

        // Down through the level and back up, one correction at a time: each one raises or resolves exactly one alert.
        // The first four warm the paths up (JIT, connections) and are not measured.
        const int WarmUp = 4;
        var crossings = o.Quick ? 20 : 100;
        for (var i = -WarmUp; i < crossings; i++)
        {
            if (i == 0)
            {
                var warm = Stopwatch.StartNew();
                while ((screen.Count < WarmUp || hooks.Count < WarmUp) && warm.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(20);
                }

                screen.Clear();
                hooks.Clear();
            }

            var response = await ops.PostAsJsonAsync($"/api/orgs/{org}/adjustments", new
            {
                productCode = ProductCodes.Subscription, quantity = (i + WarmUp) % 2 == 0 ? -600 : 600, reason = "bench crossing", reference = "BENCH-" + i,
                idempotencyKey = "bench-alert-" + i,
            });
            response.EnsureSuccessStatusCode();
            await Task.Delay(50);
        }

        var deadline = Stopwatch.StartNew();
        while ((screen.Count < crossings || hooks.Count < crossings) && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        await Task.Delay(500);
        await stopReceiving.CancelAsync();
        listener.Stop();
        await receiving;

        static double Late(DateTime receivedAt, JsonElement message) => (receivedAt - message.GetProperty("at").GetDateTime().ToUniversalTime()).TotalMilliseconds;
        var toScreen = Distribution.Of(screen.Select(s => Late(s.ReceivedAt, s.Message)));
        var toHook = Distribution.Of(hooks.Select(h => Late(h.ReceivedAt, h.Body.GetProperty("data"))));
        report.Add("alerts", "level crossings (corrections down and up)", crossings, "alerts");
        report.Add("alerts", "ledger commit → AlertRaised/AlertResolved on screen: p50", toScreen.P50, "ms");
        report.Add("alerts", "ledger commit → AlertRaised/AlertResolved on screen: p99", toScreen.P99, "ms");
        report.Add("alerts", "ledger commit → webhook received: p50", toHook.P50, "ms");
        report.Add("alerts", "ledger commit → webhook received: p99", toHook.P99, "ms");
        report.Add("alerts", "alerts on screen, and webhooks received, not exactly once", Math.Abs(screen.Count - crossings) + Math.Abs(hooks.Count - crossings), "alerts", "0",
            screen.Count == crossings && hooks.Count == crossings);
    }
}
