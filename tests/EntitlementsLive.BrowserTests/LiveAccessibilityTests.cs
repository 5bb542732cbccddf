using System.Globalization;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>
/// A live page read with assistive technology (WCAG 2.2.2 and 4.1.3): a push is said in a polite region that was there
/// before it, "Pause live updates" holds the figures while another admin transfers, "Resume" catches up, and a push
/// never takes the reader's focus.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LiveAccessibilityTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions Generously = new() { Timeout = 15_000, PollingInterval = 50 };

    [Fact]
    public async Task APush_IsSaidPolitely_PauseHoldsTheFigures_ResumeCatchesUp_AndFocusStays()
    {
        var (acme, summit) = await Ids();
        var page = await fx.SignedIn("admin@acme.test");
        await page.GotoAsync($"/Orgs/{acme}/Entitlements");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");

        // The region is on the page, polite and empty, before anything changes; nothing on the page is assertive.
        Assert.Equal("polite", await page.GetAttributeAsync("#live-announcer", "aria-live"));
        Assert.Equal("", (await page.InnerTextAsync("#live-announcer")).Trim());
        Assert.Equal(0, await page.Locator("[aria-live=assertive]").CountAsync());

        await Transfer(acme, summit, 1);
        var available = await Available(acme);
        await page.WaitForFunctionAsync($"() => document.querySelector('#live-announcer').textContent.includes('Subscription: {available:N0} of')", null, Generously);
        Assert.Equal(available.ToString("N0", CultureInfo.InvariantCulture), (await page.InnerTextAsync("[data-pool=SUBSCRIPTION] [data-field=available]")).Trim());

        // Paused: another admin's transfer arrives (the badge counts it) and the figure stays as it was.
        await page.ClickAsync("[data-testid=live-pause]");
        Assert.Equal("true", await page.GetAttributeAsync("[data-testid=live-pause]", "aria-pressed"));
        Assert.Equal("Resume live updates", (await page.InnerTextAsync("[data-testid=live-pause]")).Trim());
        await Transfer(acme, summit, 2);
        await page.WaitForFunctionAsync("() => document.querySelector('#live-state').dataset.state === 'paused' && document.querySelector('#live-state .label').textContent.includes('waiting')", null, Generously);
        Assert.Equal(available.ToString("N0", CultureInfo.InvariantCulture), (await page.InnerTextAsync("[data-pool=SUBSCRIPTION] [data-field=available]")).Trim());

        // The pause lasts while the reader moves to another page of the organization.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements/Events");
        await page.WaitForSelectorAsync("#live-state[data-state=paused]");
        await page.ClickAsync("[data-testid=live-pause]");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");

        // Resumed on the pools page: it catches up on what committed meanwhile.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");
        await page.ClickAsync("[data-testid=live-pause]");
        await Transfer(acme, summit, 1);
        await page.WaitForFunctionAsync("() => document.querySelector('#live-state .label').textContent.includes('waiting')", null, Generously);
        var now = await Available(acme);
        Assert.NotEqual(now.ToString("N0", CultureInfo.InvariantCulture), (await page.InnerTextAsync("[data-pool=SUBSCRIPTION] [data-field=available]")).Trim());
        await page.ClickAsync("[data-testid=live-pause]");
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-pool=SUBSCRIPTION] [data-field=available]').textContent.trim() === '{now:N0}'", null, Generously);
        Assert.Equal("live", await page.GetAttributeAsync("#live-state", "data-state"));

        // Focus on an event's "+" stays on that "+" while a push rebuilds the event's chips.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements/Events");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");
        var chip = $"[data-testid=events-table] [data-event-row=\"{summit}\"] [data-product=SUBSCRIPTION]";
        var plus = page.Locator(chip + " .chip-plus");
        await plus.FocusAsync();
        Assert.True(await page.EvaluateAsync<bool>($"() => document.activeElement.matches('{chip} .chip-plus')"), "the + did not take the focus");
        var before = await page.InnerTextAsync(chip + " .tabular");
        await Transfer(acme, summit, 1);
        await page.WaitForFunctionAsync($"() => document.querySelector('{chip} .tabular').textContent !== '{before}'", null, Generously);
        Assert.True(await page.EvaluateAsync<bool>($"() => document.activeElement.matches('{chip} .chip-plus')"),
            "the push moved the focus off the chip's +");
        Assert.Empty(fx.CspViolations);
        await page.Context.CloseAsync();
    }

    private async Task<(int Acme, int Summit)> Ids()
    {
        await using var scope = fx.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>();
        var e = await db.Events.AsNoTracking().SingleAsync(x => x.Name == "Acme Summit 2026");
        return (e.OrganizationId, e.Id);
    }

    private async Task<long> Available(int acme)
    {
        await using var scope = fx.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>();
        return await db.Pools.Where(p => p.OrganizationId == acme && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync();
    }

    /// <summary>Another administrator's transfer, committed elsewhere.</summary>
    private async Task Transfer(int acme, int summit, int quantity)
    {
        var second = await fx.SecondAcmeAdmin();
        await using var scope = fx.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TransferToEvent>().Handle(acme, summit,
            new TransferRequest(ProductCodes.Subscription, quantity, "a11y-" + Guid.NewGuid().ToString("N")), second, CancellationToken.None);
    }
}
