using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

[Collection(BrowserCollection.Name)]
public class DashboardTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Admin_CoversAcmeSummit_ThroughTheTransferFlow_AndLandsOnItsDetails()
    {
        var page = await fx.SignedIn("admin@acme.test");
        await BrowserFixture.Screenshot(page, "0-home");

        await page.ClickAsync("text=Manage Organization → Entitlements");
        await page.WaitForSelectorAsync("[data-testid=pools-table]");
        await page.ClickAsync("[data-pool=SUBSCRIPTION] .pool-row");
        await page.WaitForSelectorAsync("[data-tx-list=SUBSCRIPTION] .tx-item");
        await BrowserFixture.Screenshot(page, "1-my-organization-entitlements");

        await page.ClickAsync("[data-testid=tab-events]");
        await page.WaitForSelectorAsync("[data-testid=events-table]");
        var summitRow = page.Locator("[data-testid=events-table] tr.event-row", new() { HasText = "Acme Summit 2026" });
        Assert.Contains("is-missing", await summitRow.GetAttributeAsync("class") ?? "");
        await page.ClickAsync("[data-testid=missing-window] button");
        await page.WaitForSelectorAsync("#missing-list.show");
        await BrowserFixture.Screenshot(page, "2-events");

        await summitRow.Locator("[data-product=SUBSCRIPTION] .chip-plus").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=transfer-event]");
        var quantity = await page.InputValueAsync("[data-testid=quantity]");
        Assert.True(int.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture) > 0);
        await BrowserFixture.Screenshot(page, "3-transfer-choose");
        await page.ClickAsync("[data-testid=review-transfer]");
        await page.WaitForSelectorAsync("[data-testid=confirm-step]");
        Assert.Contains("final", await page.InnerTextAsync("[data-testid=confirm-step]"), StringComparison.OrdinalIgnoreCase);
        await BrowserFixture.Screenshot(page, "4-transfer-confirm");
        await page.ClickAsync("[data-testid=confirm-transfer]");

        await page.WaitForSelectorAsync("[data-testid=transfer-success]");
        Assert.Contains("/Events/", page.Url, StringComparison.Ordinal);
        Assert.Equal("Acme Summit 2026", await page.InnerTextAsync("[data-testid=event-name]"));
        Assert.Equal("0", await page.InnerTextAsync("[data-testid=missing-SUBSCRIPTION]"));
        Assert.Equal("Covered", await page.InnerTextAsync("[data-testid=coverage-badge]"));
        Assert.False(await page.IsVisibleAsync("[data-testid=missing-banner]"));
        await BrowserFixture.Screenshot(page, "5-event-details");

        var orgId = new Uri(page.Url).AbsolutePath.Split('/')[2];
        await page.GotoAsync($"/Orgs/{orgId}/Entitlements/History");
        await page.WaitForSelectorAsync("[data-testid=history-table] tbody tr");
        Assert.Contains("Acme Summit 2026", await page.InnerTextAsync("[data-testid=history-table] tbody tr:first-child"));
        await BrowserFixture.Screenshot(page, "6-transaction-history");

        await page.ClickAsync("[data-testid=tab-integrations]");
        await page.ClickAsync("[data-testid=integrations-automation]");
        await page.WaitForSelectorAsync("[data-testid=auto-cover-state]");
        Assert.Equal("Off", await page.InnerTextAsync("[data-testid=auto-cover-state]"));
        await BrowserFixture.Screenshot(page, "6b-integrations");
        Assert.Empty(fx.CspViolations);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task EventTeam_SeesTheBanner_WithoutTheLinkToFixIt()
    {
        var page = await fx.SignedIn("team@acme.test");
        await page.ClickAsync("text=Acme Summit 2026");
        await page.WaitForSelectorAsync("[data-testid=event-name]");
        Assert.Equal(0, await page.Locator("[data-testid=fix-link]").CountAsync());
        await BrowserFixture.Screenshot(page, "7-event-team");
        Assert.Empty(fx.CspViolations);
        await page.Context.CloseAsync();
    }
}
