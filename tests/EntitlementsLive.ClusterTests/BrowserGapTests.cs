using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace EntitlementsLive.ClusterTests;

/// <summary>
/// A real browser on the node that does not drain: Redis restarts while transfers commit on the drainer, and the
/// History page still shows every transaction, without a reload. A TransactionRecorded lost on the way is recovered
/// only by the page noticing the gap ("previous") and calling Resume.
/// </summary>
public sealed class BrowserGapTests(ITestOutputHelper output) : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    [Fact]
    public async Task RedisRestarted_TheHistoryPageOnTheOtherNode_ResumesAndShowsEveryTransfer_WithoutAReload()
    {
        var drainer = await Cluster.Leader() ?? throw new InvalidOperationException("no node holds the outbox lease");
        var other = drainer == Cluster.NodeA ? Cluster.NodeB : Cluster.NodeA;
        using var api = await Cluster.Api(drainer, "admin@acme.test");
        var acme = await Cluster.OrganizationId(api, "Acme Events");
        var summit = (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{acme}/events?status=all")).EnumerateArray()
            .First(e => e.GetProperty("name").GetString() == "Acme Summit 2026").GetProperty("id").GetInt32();
        using (var ops = await Cluster.Api(drainer, "ops@platform.test"))
        {
            using var purchase = await ops.PostAsJsonAsync($"/api/orgs/{acme}/purchases",
                new { productCode = "SUBSCRIPTION", quantity = 500, reference = "browser gap test", idempotencyKey = "gap-" + Guid.NewGuid().ToString("N") });
            Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
        }

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = other });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Email", "admin@acme.test");
        await page.FillAsync("#Password", Cluster.Password);
        await page.ClickAsync("[data-testid=sign-in]");
        await page.WaitForURLAsync(other + "/");
        await page.GotoAsync($"/Orgs/{acme}/Entitlements/History");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");
        // A marker a reload would wipe, and a count of the page's own Resume calls.
        await page.EvaluateAsync("""
            () => {
              window.__noReload = true;
              window.__resumes = 0;
              const c = window.entitlementsLive.connection;
              const invoke = c.invoke.bind(c);
              c.invoke = (name, ...args) => { if (name === "Resume") window.__resumes++; return invoke(name, ...args); };
            }
            """);

        var recorded = new List<long>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await api.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit}/transfers",
                    new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = "gap-" + Guid.NewGuid().ToString("N") }, CancellationToken.None);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                var id = (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("transaction").GetProperty("id").GetInt64();
                lock (recorded)
                {
                    recorded.Add(id);
                }

                await Task.Delay(50, CancellationToken.None);
            }
        });
        try
        {
            await Task.Delay(1_000);
            await Cluster.Run("restart-redis", "1");
            await Task.Delay(3_000);
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }

        // Every transfer is on the page (rows are added by TransactionRecorded only), and the page was never reloaded.
        var selector = string.Join(", ", recorded.Select(id => $"[data-testid=history-table] tr[data-tx-id=\"{id}\"]"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int shown;
        while ((shown = await page.Locator(selector).CountAsync()) < recorded.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var resumes = await page.EvaluateAsync<int>("() => window.__resumes");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page reloaded");
        Assert.Equal(recorded.Count, shown);
        output.WriteLine($"Redis restarted under a History page on {other} (commits on {drainer}): {recorded.Count} transfers, all shown; the page resumed {resumes} time(s), no reload");
        await context.CloseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
