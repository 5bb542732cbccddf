using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace EntitlementsLive.ClusterTests;

/// <summary>Chromium against the cluster: a page that loses a message, and a session whose node dies.</summary>
public sealed class BrowserClusterTests(ITestOutputHelper output) : IAsyncLifetime
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

    /// <summary>
    /// A browser on the node that does not drain: Redis restarts while transfers commit on the drainer, and the History
    /// page still shows every transaction, without a reload. A TransactionRecorded lost on the way is recovered only by
    /// the page noticing the gap ("previous") and calling Resume.
    /// </summary>
    [Fact]
    public async Task RedisRestarted_TheHistoryPageOnTheOtherNode_ResumesAndShowsEveryTransfer_WithoutAReload()
    {
        var drainer = await Cluster.Leader() ?? throw new InvalidOperationException("no node holds the outbox lease");
        var other = drainer == Cluster.NodeA ? Cluster.NodeB : Cluster.NodeA;
        using var api = await Cluster.Api(drainer, "admin@acme.test");
        var acme = await Cluster.OrganizationId(api, "Acme Events");
        var summit = await Cluster.EventId(api, acme, "Acme Summit 2026");
        await Cluster.EnsureAvailable(acme, 500);

        var (context, page) = await SignedIn(other, "admin@acme.test");
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

        using var stop = new CancellationTokenSource();
        var load = Cluster.Load(api, acme, summit, "gap-", stop.Token);
        try
        {
            await Task.Delay(1_000);
            await Cluster.Run("restart-redis", "1");
            await Task.Delay(3_000);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var recorded = await load;

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

    /// <summary>
    /// A browser signed in through the balancer, on whichever node it was pinned to: that node is killed. The page's live
    /// connection comes back through the balancer on the other node and shows the next transfer without a reload, and
    /// a reload is still signed in (the cookie's keys are shared).
    /// </summary>
    [Fact]
    public async Task ABrowserSignedInThroughTheBalancer_KeepsItsSessionAndItsLiveScreen_WhenItsNodeDies()
    {
        using var lookup = await Cluster.Api(Cluster.Balancer, "admin@acme.test");
        var acme = await Cluster.OrganizationId(lookup, "Acme Events");
        await Cluster.EnsureAvailable(acme, 10);
        // The live connections open before this browser, once the earlier tests' screens have closed.
        var before = await Cluster.LiveConnections();
        for (var settle = 0; settle < 20; settle++)
        {
            await Task.Delay(250);
            var again = await Cluster.LiveConnections();
            if (again.Count == before.Count && again.All(n => before.GetValueOrDefault(n.Key) == n.Value))
            {
                break;
            }

            before = again;
        }

        var (context, page) = await SignedIn(Cluster.Balancer, "admin@acme.test");
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, m) => console.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {m.Type}: {m.Text}");
        var history = $"/Orgs/{acme}/Entitlements/History";
        await page.GotoAsync(history);
        await page.WaitForSelectorAsync("#live-state[data-state=live]");

        // The node that took the page's live connection is the one its session is pinned to.
        string? pinned = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pinned is null && DateTime.UtcNow < deadline)
        {
            var now = await Cluster.LiveConnections();
            pinned = now.Where(n => n.Value > before.GetValueOrDefault(n.Key)).Select(n => n.Key).FirstOrDefault();
            await Task.Delay(100);
        }

        Assert.NotNull(pinned);
        var survivor = pinned == Cluster.NodeA ? Cluster.NodeB : Cluster.NodeA;
        // A reload would wipe the marker; the observer keeps every state the live badge went through.
        await page.EvaluateAsync("""
            () => {
              window.__noReload = true;
              window.__states = [];
              const badge = document.querySelector('#live-state');
              new MutationObserver(() => window.__states.push(badge.dataset.state)).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
            }
            """);
        try
        {
            await Cluster.Run("kill", Cluster.Name(pinned));
            try
            {
                // The connection dropped with its node, and came back live (through the balancer, on the survivor).
                await page.WaitForFunctionAsync(
                    "() => window.__states.some(s => s !== 'live') && document.querySelector('#live-state').dataset.state === 'live'", null, new() { Timeout = 30_000 });
            }
            catch (TimeoutException)
            {
                output.WriteLine("the page's console: " + string.Join("\n", console));
                output.WriteLine("states: " + await page.EvaluateAsync<string>("() => window.__states.join(', ')"));
                throw;
            }

            // Live again, on the survivor: the next transfer appears without a reload.
            using var api = await Cluster.Api(survivor, "admin@acme.test");
            var summit = await Cluster.EventId(api, acme, "Acme Summit 2026");
            using var response = await api.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit}/transfers",
                new { productCode = "SUBSCRIPTION", quantity = 1, idempotencyKey = "move-" + Guid.NewGuid().ToString("N") });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transaction").GetProperty("id").GetInt64();
            await page.WaitForSelectorAsync($"[data-testid=history-table] tr[data-tx-id=\"{id}\"]", new() { Timeout = 15_000 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page reloaded");
            var states = await page.EvaluateAsync<string>("() => window.__states.join(' → ')");

            // And the session itself moved: a reload is served signed in, by the survivor.
            await page.ReloadAsync();
            Assert.EndsWith(history, page.Url, StringComparison.Ordinal);
            await page.WaitForSelectorAsync("#live-state[data-state=live]");
            output.WriteLine($"session pinned to {pinned}, which was killed: the live badge went {states}; " +
                             $"the screen came back on {survivor}, showed transfer {id} without a reload, and a reload was still signed in");
        }
        finally
        {
            await Cluster.Run("start", Cluster.Name(pinned));
            await context.CloseAsync();
        }
    }

    private async Task<(IBrowserContext Context, IPage Page)> SignedIn(string baseUrl, string email)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl });
        var page = await context.NewPageAsync();
        // Setting up, not under test: a node restarted by the test before may still be warming up, so one more try.
        for (var attempt = 1; ; attempt++)
        {
            await page.GotoAsync("/Account/Login");
            await page.FillAsync("#Email", email);
            await page.FillAsync("#Password", Cluster.Password);
            await page.ClickAsync("[data-testid=sign-in]");
            try
            {
                await page.WaitForURLAsync(baseUrl + "/", new() { Timeout = 30_000 });
                return (context, page);
            }
            catch (TimeoutException ex) when (attempt == 2)
            {
                var body = await page.InnerTextAsync("body");
                throw new TimeoutException($"Signing in as {email} on {baseUrl} did not reach the home page; the page at {page.Url} says: {body[..Math.Min(body.Length, 600)]}", ex);
            }
            catch (TimeoutException ex)
            {
                output.WriteLine($"sign-in on {baseUrl} did not finish in 30 s ({ex.Message}); trying again");
            }
        }
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
