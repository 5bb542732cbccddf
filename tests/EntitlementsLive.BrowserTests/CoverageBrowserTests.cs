using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>"Cover all missing" on the demo data: one confirmed plan, and every screen that showed red turns green live.</summary>
[Collection(BrowserCollection.Name)]
public class CoverageBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions WithinFiveSeconds = new() { Timeout = 5_000, PollingInterval = 25 };

    [Fact]
    public async Task CoverAllMissing_TurnsTheRedWindowOff_AndTheTeamsBannerDisappears_WithoutAReload()
    {
        var team = await fx.SignedIn("team@acme.test");
        await team.ClickAsync("text=Acme Summit 2026");
        await team.WaitForSelectorAsync("[data-testid=missing-banner]:visible");
        await WaitLive(team);
        var teamNavigations = 0;
        team.FrameNavigated += (_, _) => teamNavigations++;

        // A second admin watches the Events tab: its red window must go out by itself.
        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        await admin.ClickAsync("[data-testid=tab-events]");
        var orgId = new Uri(admin.Url).AbsolutePath.Split('/')[2];
        var watcher = await fx.SignedIn(await fx.SecondAcmeAdmin());
        await watcher.GotoAsync($"/Orgs/{orgId}/Entitlements/Events");
        await watcher.WaitForSelectorAsync("[data-testid=missing-window]:visible");
        await WaitLive(watcher);

        await admin.ClickAsync("[data-testid=cover-all]");
        await admin.WaitForSelectorAsync("[data-testid=plan-items]");
        var planned = await admin.InnerTextAsync("[data-testid=plan-items]");
        Assert.Contains("Acme Summit 2026", planned);
        Assert.Contains("Acme Roadshow Spring 2026", planned);
        Assert.Equal(0, await admin.Locator("[data-testid=plan-shortfall]").CountAsync());
        await BrowserFixture.Screenshot(admin, "10-cover-all-plan");
        await admin.ClickAsync("[data-testid=confirm-plan]");

        await admin.WaitForSelectorAsync("[data-testid=plan-executed]");
        Assert.True(await admin.Locator("[data-testid=missing-window]").IsHiddenAsync());
        await team.WaitForFunctionAsync("() => document.querySelector('[data-testid=missing-banner]').classList.contains('d-none')", null, WithinFiveSeconds);
        await watcher.WaitForFunctionAsync("() => document.querySelector('[data-testid=missing-window]').classList.contains('d-none')", null, WithinFiveSeconds);
        Assert.Equal("Covered", await team.InnerTextAsync("[data-testid=coverage-badge]"));
        Assert.Equal(0, teamNavigations);
        Assert.Empty(fx.CspViolations);
        await Task.WhenAll(team.Context.CloseAsync(), admin.Context.CloseAsync(), watcher.Context.CloseAsync());
    }

    private static Task<IElementHandle?> WaitLive(IPage page) =>
        page.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
}

/// <summary>Rule 14 on screen: the Events tab's forecast moves by itself when participant changes arrive.</summary>
[Collection(BrowserCollection.Name)]
public class ForecastBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task NewRegistrations_MoveTheSummitsForecast_WithoutAReload()
    {
        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        await admin.ClickAsync("[data-testid=tab-events]");
        await admin.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
        int summit;
        await using (var scope = fx.Services.CreateAsyncScope())
        {
            summit = await scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>().Events
                .Where(e => e.Name == "Acme Summit 2026").Select(e => e.Id).SingleAsync();
        }

        var forecast = admin.Locator($"[data-testid=events-table] [data-forecast-event=\"{summit}\"]");
        var before = await forecast.InnerTextAsync();
        Assert.Matches("^likely short by \\d+ at start$", before);
        var navigations = 0;
        admin.FrameNavigated += (_, _) => navigations++;

        await using (var scope = fx.Services.CreateAsyncScope())
        {
            var now = DateTime.UtcNow;
            var changes = Enumerable.Range(1, 40).Select(i => new ParticipantChange($"late-{i}", $"LATE-{i}", ParticipantChangeType.Added, now.AddMinutes(-i))).ToList();
            var e = await scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>().Events.SingleAsync(x => x.Id == summit);
            await scope.ServiceProvider.GetRequiredService<ApplyParticipantChanges>().Handle(e.OrganizationId, summit, changes, CancellationToken.None);
        }

        await admin.WaitForFunctionAsync($"() => document.querySelector('[data-testid=events-table] [data-forecast-event=\"{summit}\"]').textContent !== {System.Text.Json.JsonSerializer.Serialize(before)}",
            null, new() { Timeout = 5_000, PollingInterval = 50 });
        var after = await forecast.InnerTextAsync();
        Assert.True(ShortBy(after) > ShortBy(before), $"{before} → {after}");
        Assert.Equal(0, navigations);
        Assert.Empty(fx.CspViolations);
        await admin.Context.CloseAsync();
    }

    private static int ShortBy(string text) => int.Parse(System.Text.RegularExpressions.Regex.Match(text, "\\d+").Value, System.Globalization.CultureInfo.InvariantCulture);
}
