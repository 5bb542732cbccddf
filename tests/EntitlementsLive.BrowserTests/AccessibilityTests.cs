using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>axe-core over every page: no serious or critical violation.</summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalViolation()
    {
        var admin = await fx.SignedIn("admin@acme.test");
        await admin.ClickAsync("text=Manage Organization → Entitlements");
        var orgId = new Uri(admin.Url).AbsolutePath.Split('/')[2];
        var summitHref = await admin.GotoAsync($"/Orgs/{orgId}/Entitlements/Events");
        var summit = await admin.Locator("[data-testid=events-table] tr.event-row", new() { HasText = "Acme Summit 2026" }).GetAttributeAsync("data-event-row");
        var found = new List<string>();
        foreach (var path in new[]
        {
            "/", $"/Orgs/{orgId}/Entitlements", $"/Orgs/{orgId}/Entitlements/Events", $"/Orgs/{orgId}/Entitlements/History",
            $"/Orgs/{orgId}/Entitlements/Transfer?eventId={summit}", $"/Orgs/{orgId}/Entitlements/Integrations", $"/Orgs/{orgId}/Entitlements/Integrations/Webhooks", $"/Orgs/{orgId}/Entitlements/Integrations/Automation", $"/Orgs/{orgId}/Events/{summit}",
            $"/Orgs/{orgId}/Members", $"/Orgs/{orgId}/Audit", $"/Orgs/{orgId}/Events/{summit}/Participants", $"/Orgs/{orgId}/Events/{summit}/Participants?show=not-counted",
            $"/Orgs/{orgId}/Entitlements/Alerts?state=all", $"/Orgs/{orgId}/Entitlements/Requests?state=all", $"/Orgs/{orgId}/Entitlements/Cover",
            $"/Orgs/{orgId}/Entitlements/Cover?eventId={summit}", "/Account/Notifications",
        })
        {
            await admin.GotoAsync(path);
            found.AddRange(await Serious(admin, path));
        }

        var ops = await fx.SignedIn("ops@platform.test");
        foreach (var path in new[] { "/Ops", "/Ops/Products", "/Ops/Purchases", "/Ops/Adjustments" })
        {
            await ops.GotoAsync(path);
            found.AddRange(await Serious(ops, path));
        }

        var anonymous = await (await fx.NewContext()).NewPageAsync();
        foreach (var path in new[] { "/Account/Login", "/Account/Forgot", "/Account/Accept?token=forged" })
        {
            await anonymous.GotoAsync(path);
            found.AddRange(await Serious(anonymous, path));
        }

        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    private static async Task<IEnumerable<string>> Serious(IPage page, string path)
    {
        AxeResult result = await page.RunAxe();
        return result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{path}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
    }
}
