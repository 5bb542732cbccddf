using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>Rule 15 end to end, two people: the event team asks from its banner, an administrator approves, both screens follow.</summary>
[Collection(BrowserCollection.Name)]
public class RequestBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions WithinFiveSeconds = new() { Timeout = 5_000, PollingInterval = 25 };

    [Fact]
    public async Task TheTeamAsks_TheAdminSeesItLive_Approves_AndTheTeamsBannerGoesWithItsRequestFulfilled()
    {
        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        var orgId = new Uri(admin.Url).AbsolutePath.Split('/')[2];
        await admin.GotoAsync($"/Orgs/{orgId}/Entitlements/Requests");
        await WaitLive(admin);
        var bellBefore = int.Parse(await admin.GetAttributeAsync("[data-testid=alert-bell]", "data-alert-count") ?? "x", System.Globalization.CultureInfo.InvariantCulture);
        var adminNavigations = 0;
        admin.FrameNavigated += (_, _) => adminNavigations++;

        var team = await fx.SignedIn("team@acme.test");
        await team.ClickAsync("text=Acme Summit 2026");
        await team.WaitForSelectorAsync("[data-testid=missing-banner]:visible");
        await WaitLive(team);
        await team.ClickAsync("[data-testid=ask-open]");
        await team.FillAsync("#ask-note", "Forty more registrations since Monday.");
        await team.ClickAsync("[data-testid=ask-send]");
        await team.WaitForSelectorAsync("[data-testid=ask-done]");
        Assert.Contains("waiting for an administrator", await team.InnerTextAsync("[data-testid=request-state]"));
        Assert.True(await team.Locator("[data-request-form]").IsHiddenAsync());
        await WaitLive(team);
        var teamNavigations = 0;
        team.FrameNavigated += (_, _) => teamNavigations++;

        // The administrator's screen: a toast, the bell, and the list, without a reload.
        await admin.WaitForSelectorAsync("[data-testid=alert-toast]:has-text('asks you to cover Acme Summit 2026')");
        await admin.WaitForFunctionAsync($"() => document.querySelector('[data-testid=alert-bell]').dataset.alertCount === '{bellBefore + 1}'", null, WithinFiveSeconds);
        await admin.WaitForSelectorAsync("[data-testid=requests-table] tr[data-request-id]:has-text('Acme Summit 2026')");
        Assert.Contains("Forty more registrations", await admin.InnerTextAsync("[data-testid=requests-table]"));
        Assert.Equal(0, adminNavigations);
        await BrowserFixture.Screenshot(admin, "11-requests-list");

        await admin.ClickAsync("[data-testid=requests-table] a[data-testid^=approve-]");
        await admin.WaitForSelectorAsync("[data-testid=plan-items]");
        await admin.ClickAsync("[data-testid=confirm-plan]");
        await admin.WaitForSelectorAsync("[data-testid=request-done]");
        Assert.Contains("is approved", await admin.InnerTextAsync("[data-testid=request-done]"));

        await team.WaitForFunctionAsync("() => document.querySelector('[data-testid=missing-banner]').classList.contains('d-none')", null, WithinFiveSeconds);
        await team.WaitForFunctionAsync("() => document.querySelector('[data-request-status]').dataset.requestStatus === 'fulfilled'", null, WithinFiveSeconds);
        Assert.Contains("fulfilled", await team.InnerTextAsync("[data-testid=request-state]"));
        Assert.Contains("approved by Alex Admin (Acme)", await team.InnerTextAsync("[data-testid=request-state]"));
        Assert.Equal(0, teamNavigations);
        await BrowserFixture.Screenshot(team, "12-request-fulfilled");
        Assert.Empty(fx.CspViolations);
        await Task.WhenAll(team.Context.CloseAsync(), admin.Context.CloseAsync());
    }

    private static Task<IElementHandle?> WaitLive(IPage page) =>
        page.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
}
