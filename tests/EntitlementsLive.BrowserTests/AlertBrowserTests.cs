using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>Rule 13 on screen: another admin's transfer crosses a pool level, and this admin's bell counts it at once, with a toast, without a reload.</summary>
[Collection(BrowserCollection.Name)]
public class AlertBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnotherAdminsTransfer_CrossingALevel_RaisesTheBellCount_WithoutAReload()
    {
        int acme, summit;
        long available;
        await using (var scope = fx.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>();
            var e = await db.Events.AsNoTracking().SingleAsync(x => x.Name == "Acme Summit 2026");
            (acme, summit) = (e.OrganizationId, e.Id);

            // Whatever the minutely sweep would raise for the demo's events is raised now, before the page counts.
            await scope.ServiceProvider.GetRequiredService<SweepUncoveredSoon>().Handle(CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Features.Forecasts.SweepProjectedShortfalls>().Handle(CancellationToken.None);
            available = await db.Pools.Where(p => p.OrganizationId == acme && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync();
            await scope.ServiceProvider.GetRequiredService<SetThresholds>().Handle(acme, ProductCodes.Subscription,
                new ThresholdsRequest([new ThresholdLevel(available - 1, null)]), CancellationToken.None);
        }

        var page = await fx.SignedIn("admin@acme.test");
        await page.GotoAsync($"/Orgs/{acme}/Entitlements");
        await page.WaitForSelectorAsync("#live-state[data-state=live]");
        var before = int.Parse(await page.GetAttributeAsync("[data-testid=alert-bell]", "data-alert-count") ?? "x", System.Globalization.CultureInfo.InvariantCulture);
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        var second = await fx.SecondAcmeAdmin();
        await using (var scope = fx.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TransferToEvent>().Handle(acme, summit,
                new TransferRequest(ProductCodes.Subscription, 2, "bell-" + Guid.NewGuid().ToString("N")), second, CancellationToken.None);
        }

        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=alert-bell]').dataset.alertCount === '{before + 1}'", null, new() { Timeout = 10_000 });
        Assert.Equal((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("[data-testid=alert-count]"));
        await page.WaitForSelectorAsync("[data-testid=alert-toast]");
        Assert.Contains("Subscription is low", await page.InnerTextAsync("[data-testid=alert-toast]"), StringComparison.Ordinal);
        Assert.Equal(0, navigations);
        await BrowserFixture.Screenshot(page, "alert-bell");

        await page.ClickAsync("[data-testid=alert-bell]");
        await page.WaitForSelectorAsync("[data-testid=alerts-table] [data-alert-id]");
        Assert.Contains("Subscription is low", await page.InnerTextAsync("[data-testid=alerts-table]"), StringComparison.Ordinal);
        await BrowserFixture.Screenshot(page, "alerts-list");
        Assert.Empty(fx.CspViolations);
        await page.Context.CloseAsync();
    }
}
