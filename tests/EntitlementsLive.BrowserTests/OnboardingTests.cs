using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Web.Features.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>A platform adopting the product from an empty database, through its pages, in a real browser.</summary>
public sealed class EmptyDatabaseFixture : BrowserFixture
{
    protected override bool SeedDemoData => false;
}

[Collection(BrowserCollection.Name)]
public class OnboardingTests(EmptyDatabaseFixture fx) : IClassFixture<EmptyDatabaseFixture>
{
    private const string Password = "Onb0arding!";
    private static readonly string[] LeadRetrievalOnly = ["LEAD_RETRIEVAL"];
    private static readonly PageWaitForFunctionOptions Generously = new() { Timeout = 15_000, PollingInterval = 50 };
    private int _steps;
    private int _clicks;

    [Fact]
    public async Task FromAnEmptyDatabase_ToACoveredEvent_WhoseTeamSeesTheBannerGo()
    {
        // The bootstrap link, as the first start prints it for Bootstrap:OpsEmail.
        await using var scope = fx.Services.CreateAsyncScope();
        var bootstrap = await scope.ServiceProvider.GetRequiredService<Bootstrap>().RunAsync("ops@northwind-platform.example", fx.BaseUrl, CancellationToken.None);
        Assert.NotNull(bootstrap);

        var ops = await Accept(bootstrap.AcceptUrl, "Olga Ops", "onboarding-1-bootstrap-accept");
        await Click(ops, "[data-testid=ops-console]");
        await ops.FillAsync("[data-testid=org-name]", "Northwind Summits");
        await Click(ops, "[data-testid=create-org]");
        var row = ops.Locator("[data-testid=ops-orgs] tr", new() { HasText = "Northwind Summits" });
        var orgId = await row.GetAttributeAsync("data-org-id");
        await Click(row.Locator("[data-testid^=activation-]"));
        await ops.Locator("[data-testid=ops-orgs] tr", new() { HasText = "Northwind Summits" }).Locator("text=Activated").WaitForAsync();
        await ops.FillAsync($"[data-testid=invite-admin-{orgId}]", "ada@northwind.example");
        await Click(ops, $"[data-testid=invite-admin-submit-{orgId}]");
        var adminLink = await ops.InputValueAsync("[data-testid=new-link-url]");
        await BrowserFixture.Screenshot(ops, "onboarding-2-ops-organizations");

        await ops.GotoAsync("/Ops/Purchases");
        _steps++;
        foreach (var (product, quantity) in new[] { ("SUBSCRIPTION", "200"), ("LEAD_RETRIEVAL", "1") })
        {
            await ops.SelectOptionAsync("#org", orgId!);
            await ops.SelectOptionAsync("#product", product);
            await ops.FillAsync("#quantity", quantity);
            await ops.FillAsync("#reference", "NW-2027-001");
            await Click(ops, "[data-testid=record-purchase]");
            await ops.WaitForSelectorAsync("[data-testid=purchase-recorded]");
        }

        await BrowserFixture.Screenshot(ops, "onboarding-3-ops-purchase");

        // The administrator joins, invites an Entitlement Manager, and gives the platform a key.
        var admin = await Accept(adminLink, "Ada Admin", "onboarding-4-admin-accept");
        await Click(admin, $"[data-testid=members-{orgId}]");
        await admin.FillAsync("[data-testid=invite-email]", "max@northwind.example");
        await admin.SelectOptionAsync("[data-testid=invite-role]", "EntitlementManager");
        await Click(admin, "[data-testid=invite-submit]");
        var managerLink = await admin.InputValueAsync("[data-testid=new-link-url]");
        await BrowserFixture.Screenshot(admin, "onboarding-5-members");

        // The audit trail says who invited whom, and from where (the browser's address).
        await admin.GotoAsync($"/Orgs/{orgId}/Audit");
        var audit = await admin.InnerTextAsync("[data-testid=audit]");
        Assert.Contains("invitation-created", audit, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", audit, StringComparison.Ordinal);
        await BrowserFixture.Screenshot(admin, "onboarding-5b-audit");

        await admin.GotoAsync($"/Orgs/{orgId}/Entitlements/Integrations");
        _steps++;
        await admin.FillAsync("[data-testid=key-name]", "Northwind platform");
        await Click(admin, "[data-testid=scope-events]");
        await Click(admin, "[data-testid=create-key]");
        var secret = (await admin.InnerTextAsync("[data-testid=new-key] code")).Trim();

        // The platform syncs its event (Lead Retrieval) and sends 120 participants.
        using var platform = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        platform.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var synced = await platform.PutAsJsonAsync($"/api/orgs/{orgId}/events/by-ref/nw-expo-2027",
            new { name = "Northwind Expo 2027", startsAt = "2027-05-10T09:00:00+02:00", endsAt = "2027-05-12T18:00:00+02:00", status = "production", modules = LeadRetrievalOnly });
        Assert.Equal(System.Net.HttpStatusCode.Created, synced.StatusCode);
        var eventId = (await synced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var changes = Enumerable.Range(1, 120).Select(i => new { changeId = $"nw-{i}", participantRef = $"NW-{i:000}", type = "added", occurredAt = "2027-04-01T10:00:00Z" });
        var batch = await platform.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new { changes });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, batch.StatusCode);

        // The administrator invites the event's team member, who joins and sees the banner.
        await admin.GotoAsync($"/Orgs/{orgId}/Members");
        _steps++;
        await admin.FillAsync("[data-testid=invite-email]", "tia@northwind.example");
        await admin.SelectOptionAsync("[data-testid=invite-role]", $"EventTeam:{eventId}");
        await Click(admin, "[data-testid=invite-submit]");
        var teamLink = await admin.InputValueAsync("[data-testid=new-link-url]");
        var team = await Accept(teamLink, "Tia Team", "onboarding-6-team-accept");
        await Click(team, "text=Northwind Expo 2027");
        await team.WaitForFunctionAsync("() => document.querySelector('[data-testid=counted]')?.textContent.trim() === '120'", null, Generously);
        await team.WaitForSelectorAsync("[data-testid=missing-banner]:visible");
        await team.WaitForSelectorAsync("#live-state[data-state=live]", new() { State = WaitForSelectorState.Attached });
        await BrowserFixture.Screenshot(team, "onboarding-7-team-banner");

        // The Entitlement Manager joins, finds the event in red and covers it.
        var manager = await Accept(managerLink, "Max Manager", "onboarding-8-manager-accept");
        await Click(manager, $"[data-testid=manage-org-{orgId}]");
        await Click(manager, "[data-testid=tab-events]");
        var eventRow = manager.Locator("[data-testid=events-table] tr.event-row", new() { HasText = "Northwind Expo 2027" });
        Assert.Contains("is-missing", await eventRow.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        await BrowserFixture.Screenshot(manager, "onboarding-9-manager-events");
        var navigations = 0;
        team.FrameNavigated += (_, _) => navigations++;
        foreach (var product in new[] { "SUBSCRIPTION", "LEAD_RETRIEVAL" })
        {
            await Click(manager.Locator("[data-testid=events-table] tr.event-row", new() { HasText = "Northwind Expo 2027" }).Locator($"[data-product={product}] .chip-plus"));
            await Click(manager, "[data-testid=review-transfer]");
            await Click(manager, "[data-testid=confirm-transfer]");
            await manager.WaitForSelectorAsync("[data-testid=transfer-success]");
            await manager.GotoAsync($"/Orgs/{orgId}/Entitlements/Events");
            _steps++;
        }

        await team.WaitForFunctionAsync("() => document.querySelector('[data-testid=missing-banner]').classList.contains('d-none')", null, Generously);
        Assert.Equal(0, navigations);
        await BrowserFixture.Screenshot(team, "onboarding-10-team-covered");
        Assert.Empty(fx.CspViolations);

        // The figures of the closing note: how long the path is for the people who walk it.
        Console.WriteLine($"onboarding: {_steps} page loads and {_clicks} clicks, from the bootstrap link to a covered event");
    }

    /// <summary>Opens an invitation link in a fresh session, sets a name and password, and lands home signed in.</summary>
    private async Task<IPage> Accept(string link, string name, string screenshot)
    {
        var context = await fx.NewContext();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(link).PathAndQuery);
        _steps++;
        await page.FillAsync("[data-testid=accept-name]", name);
        await page.FillAsync("[data-testid=accept-password]", Password);
        await BrowserFixture.Screenshot(page, screenshot);
        await Click(page, "[data-testid=accept-submit]");
        await BrowserFixture.ReachedHome(page, fx.BaseUrl);
        return page;
    }

    private async Task Click(IPage page, string selector)
    {
        _clicks++;
        await page.ClickAsync(selector);
    }

    private async Task Click(ILocator locator)
    {
        _clicks++;
        await locator.ClickAsync();
    }
}
