using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>The transfer flow without a mouse: sign in, reach the short event, transfer and confirm with Tab and Enter only.</summary>
[Collection(BrowserCollection.Name)]
public class KeyboardTests(BrowserFixture fx, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Admin_CoversAnEvent_WithTheKeyboardOnly_SeeingWhereTheFocusIs()
    {
        var context = await fx.NewContext();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        var presses = 0;

        await TabTo(page, "input[name=Email]");
        await page.Keyboard.TypeAsync("admin@acme.test");
        await TabTo(page, "input[name=Password]");
        await page.Keyboard.TypeAsync("Demo!2345");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal), BrowserFixture.Parsed);

        await TabTo(page, "a:text('Manage Organization → Entitlements')");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=pools-table]");

        await TabTo(page, "[data-testid=tab-events]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=events-table]");

        await TabTo(page, "[data-testid=events-table] tr.event-row:has-text('Acme Summit 2026') [data-product=SUBSCRIPTION] .chip-plus");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=transfer-event]");
        Assert.True(int.Parse(await page.InputValueAsync("[data-testid=quantity]"), System.Globalization.CultureInfo.InvariantCulture) > 0);

        await TabTo(page, "[data-testid=review-transfer]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=confirm-step]");

        await TabTo(page, "[data-testid=confirm-transfer]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=transfer-success]");
        Assert.Equal("0", await page.InnerTextAsync("[data-testid=missing-SUBSCRIPTION]"));
        Assert.Empty(fx.CspViolations);
        Assert.True(presses < 300, $"{presses} key presses");
        output.WriteLine($"transfer flow by keyboard: {presses} presses of Tab, 6 of Enter, focus visible at every stop");
        await context.CloseAsync();

        // Tabs forward until the element is focused, and checks that the browser shows where the focus is.
        async Task TabTo(IPage p, string selector)
        {
            var target = p.Locator(selector).First;
            for (var i = 0; i < 150; i++)
            {
                if (await target.EvaluateAsync<bool>("el => el === document.activeElement"))
                {
                    Assert.True(await target.EvaluateAsync<bool>("el => el.matches(':focus-visible') && (getComputedStyle(el).outlineStyle !== 'none' || getComputedStyle(el).boxShadow !== 'none')"),
                        $"{selector} has the focus but does not show it");
                    return;
                }

                await p.Keyboard.PressAsync("Tab");
                presses++;
            }

            var focused = await p.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : 'nothing'");
            Assert.Fail($"150 presses of Tab did not reach {selector}; the focus is on {focused}");
        }
    }
}
