using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>
/// A 390 px phone: the Events tab's events are cards whose chips and "+" are on screen without sideways scrolling, the
/// sections are one compact menu, and the history's rows are cards too.
/// </summary>
[Collection(BrowserCollection.Name)]
public class PhoneLayoutTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    /// <summary>Whether anything on the page (or inside a box of it) reaches past the screen's edge or scrolls sideways.</summary>
    private const string Overflowing = """
        () => {
          const width = window.innerWidth;
          const out = [];
          if (document.documentElement.scrollWidth > width) {
            out.push('page ' + document.documentElement.scrollWidth);
            const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
            [...document.body.querySelectorAll('*')]
              .filter(el => el.getBoundingClientRect().right > width + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
              .slice(0, 6).forEach(el => out.push(name(el) + ' reaches ' + Math.round(el.getBoundingClientRect().right)));
          }
          document.querySelectorAll('.table-responsive').forEach(b => { if (b.scrollWidth > b.clientWidth + 1) out.push('box ' + b.scrollWidth + '>' + b.clientWidth); });
          return out;
        }
        """;

    [Fact]
    public async Task AtPhoneWidth_EventsAreCardsWithTheirChipsOnScreen_TheTabsAMenu_AndNothingScrollsSideways()
    {
        var page = await fx.SignedIn("admin@acme.test");
        await page.SetViewportSizeAsync(390, 844);
        await page.ClickAsync("text=Manage Organization → Entitlements");
        var orgId = new Uri(page.Url).AbsolutePath.Split('/')[2];
        await page.GotoAsync($"/Orgs/{orgId}/Entitlements/Events");

        Assert.Empty(await page.EvaluateAsync<string[]>(Overflowing));
        var pluses = page.Locator("[data-testid=events-table] .chip-plus");
        Assert.True(await pluses.CountAsync() > 0);
        var offScreen = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('[data-testid=events-table] .chip-plus, [data-testid=events-table] .chip-name')]
              .filter(el => { const r = el.getBoundingClientRect(); return r.width === 0 || r.left < 0 || r.right > window.innerWidth; }).length
            """);
        Assert.Equal(0, offScreen);

        // One compact menu, one line high, instead of tabs wrapping onto three; it leads to every section.
        Assert.False(await page.IsVisibleAsync("[data-testid=tab-events]"));
        var menu = await page.Locator("[data-testid=tab-menu]").BoundingBoxAsync();
        Assert.NotNull(menu);
        Assert.True(menu.Height < 60, $"the section menu is {menu.Height} px high");
        Assert.Contains("Events", await page.InnerTextAsync("[data-testid=tab-menu]"), StringComparison.Ordinal);
        await page.ClickAsync("[data-testid=tab-menu]");
        await page.ClickAsync("[data-testid=tab-menu-history]");
        await page.WaitForURLAsync($"**/Orgs/{orgId}/Entitlements/History", BrowserFixture.Parsed);
        Assert.Empty(await page.EvaluateAsync<string[]>(Overflowing));
        Assert.Equal("grid", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#history-rows tr')).display"));
        await BrowserFixture.Screenshot(page, "phone-history");

        // The same pages at desktop width keep their tables and tabs.
        await page.SetViewportSizeAsync(1360, 900);
        await page.GotoAsync($"/Orgs/{orgId}/Entitlements/Events");
        Assert.True(await page.IsVisibleAsync("[data-testid=tab-events]"));
        Assert.False(await page.IsVisibleAsync("[data-testid=tab-menu]"));
        Assert.Equal("table-row", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('[data-testid=events-table] tbody tr')).display"));
        await page.SetViewportSizeAsync(390, 844);
        await BrowserFixture.Screenshot(page, "phone-events");
        Assert.Empty(fx.CspViolations);
        await page.Context.CloseAsync();
    }
}
