using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>Three sessions: the event team, the admin who covers the event, and a second admin watching.</summary>
[Collection(BrowserCollection.Name)]
public class LiveBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions WithinTwoSeconds = new() { Timeout = 2_000, PollingInterval = 25 };

    [Fact]
    public async Task CoveringTheSummit_HidesTheTeamsBanner_AndUpdatesTheSecondAdminsPoolAndHistory_WithoutAReload()
    {
        var team = await fx.SignedIn("team@acme.test");
        await team.ClickAsync("text=Acme Summit 2026");
        await team.WaitForSelectorAsync("[data-testid=missing-banner]:visible");
        await WaitLive(team);

        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        await admin.ClickAsync("[data-testid=tab-events]");
        var orgId = new Uri(admin.Url).AbsolutePath.Split('/')[2];

        var watcher = await fx.SignedIn(await fx.SecondAcmeAdmin());
        await watcher.GotoAsync($"/Orgs/{orgId}/Entitlements");
        await WaitLive(watcher);
        var history = await watcher.Context.NewPageAsync();
        await history.GotoAsync($"/Orgs/{orgId}/Entitlements/History");
        await WaitLive(history);
        var availableBefore = await watcher.InnerTextAsync("[data-pool=SUBSCRIPTION] [data-field=available]");
        var historyRowsBefore = await history.Locator("#history-rows tr").CountAsync();
        var teamNavigations = 0;
        team.FrameNavigated += (_, _) => teamNavigations++;
        watcher.FrameNavigated += (_, _) => teamNavigations++;

        var summitRow = admin.Locator("[data-testid=events-table] tr.event-row", new() { HasText = "Acme Summit 2026" });
        await summitRow.Locator("[data-product=SUBSCRIPTION] .chip-plus").ClickAsync();
        await admin.ClickAsync("[data-testid=review-transfer]");
        await admin.WaitForSelectorAsync("[data-testid=confirm-step]");
        var clock = Stopwatch.StartNew();
        await admin.ClickAsync("[data-testid=confirm-transfer]");

        await team.WaitForFunctionAsync("() => document.querySelector('[data-testid=missing-banner]').classList.contains('d-none')", null, WithinTwoSeconds);
        await watcher.WaitForFunctionAsync($"() => document.querySelector('[data-pool=SUBSCRIPTION] [data-field=available]').textContent.trim() !== '{availableBefore}'", null, WithinTwoSeconds);
        await history.WaitForFunctionAsync($"() => document.querySelectorAll('#history-rows tr').length > {historyRowsBefore}", null, WithinTwoSeconds);
        var elapsed = clock.ElapsedMilliseconds;

        Assert.Equal(0, teamNavigations);
        Assert.Contains("Acme Summit 2026", await history.InnerTextAsync("#history-rows tr:first-child"));
        Assert.Equal("Covered", await team.InnerTextAsync("[data-testid=coverage-badge]"));
        Assert.True(elapsed < 6_000, $"all three screens updated {elapsed} ms after the click");
        await BrowserFixture.Screenshot(team, "8-live-team-banner-gone");
        await BrowserFixture.Screenshot(watcher, "9-live-second-admin-pools");
        Assert.Empty(fx.CspViolations);
        await Task.WhenAll(team.Context.CloseAsync(), admin.Context.CloseAsync(), watcher.Context.CloseAsync());
    }

    private static Task<IElementHandle?> WaitLive(IPage page) =>
        page.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
}

/// <summary>A screen that receives what it already shows (a resume from an older sequence, a duplicate delivery) renders nothing twice.</summary>
[Collection(BrowserCollection.Name)]
public class DedupeBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ResumeFromTheStart_RendersNoTransactionTwice()
    {
        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        var orgId = int.Parse(new Uri(admin.Url).AbsolutePath.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
        await admin.GotoAsync($"/Orgs/{orgId}/Entitlements/History");
        await admin.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
        var rowsBefore = await admin.Locator("#history-rows tr[data-tx-id]").CountAsync();

        // Every transaction of the organization, replayed to a screen that already shows the newest of them.
        var replayed = await admin.EvaluateAsync<int>($"async () => (await window.entitlementsLive.connection.invoke('Resume', {orgId}, 0)).replayed");
        Assert.True(replayed > 0);

        // The sentinel: a new transaction, pushed after the replay; its row is the only one added.
        await using var scope = fx.Services.CreateAsyncScope();
        var summit = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>().Events.Single(e => e.Name == "Acme Summit 2026").Id;
        var sentinel = await scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Features.Transfers.TransferToEvent>()
            .Handle(orgId, summit, new(EntitlementsLive.Domain.ProductCodes.Subscription, 1, Guid.NewGuid().ToString()), "dedupe-test", CancellationToken.None);
        await admin.WaitForSelectorAsync($"#history-rows tr[data-tx-id='{sentinel.Transaction.Id}']");

        var ids = await admin.EvaluateAsync<long[]>("() => [...document.querySelectorAll('#history-rows tr[data-tx-id]')].map(r => Number(r.dataset.txId))");
        Assert.Equal(rowsBefore + 1, ids.Length);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Empty(fx.CspViolations);
        await admin.Context.CloseAsync();
    }
}
