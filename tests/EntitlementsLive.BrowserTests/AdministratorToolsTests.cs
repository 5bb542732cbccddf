using System.Globalization;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniExcelLibs;

namespace EntitlementsLive.BrowserTests;

/// <summary>
/// What an administrator reaches for after the first transfer, in a real browser: every tab's export opened as a
/// file, the chart, event dates where the event is, activity times where the viewer is, who counts and why (live),
/// and the API explorer. The screenshots of the README's tour come from here.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AdministratorToolsTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    /// <summary>Where the README's tour images are written when the run asks for them (scripts/screenshots).</summary>
    private static readonly string? TourDir = Environment.GetEnvironmentVariable("TOUR_SCREENSHOTS");

    private static async Task Shot(IPage page, string name)
    {
        await BrowserFixture.Screenshot(page, name);
        if (TourDir is { Length: > 0 })
        {
            Directory.CreateDirectory(TourDir);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TourDir, name + ".png") });
        }
    }

    /// <summary>Clicks the menu, then the item, and returns the downloaded file's path and suggested name.</summary>
    private static async Task<(string Path, string Name)> Download(IPage page, string menu, string item)
    {
        await page.ClickAsync($"[data-testid={menu}]");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"[data-testid={item}]"));
        var path = await download.PathAsync();
        Assert.NotNull(path);
        return (path, download.SuggestedFilename);
    }

    private static List<string> CsvLines(string path) => [.. File.ReadAllLines(path).Where(l => l.Length > 0)];

    private static List<IDictionary<string, object>> XlsxRows(string path) =>
        [.. MiniExcel.Query(path, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>()];

    [Fact]
    public async Task Admin_ExportsEveryTab_ReadsWhoCounts_AndSeesTimesWhereTheyAre()
    {
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            TimezoneId = "America/New_York",
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Email", "admin@acme.test");
        await page.FillAsync("#Password", "Demo!2345");
        await page.ClickAsync("[data-testid=sign-in]");
        await BrowserFixture.ReachedHome(page, fx.BaseUrl);

        // The home points at trouble.
        var (acme, summit) = await Ids();
        await page.WaitForSelectorAsync($"[data-testid=attention-missing-{acme}]");
        await Shot(page, "tour-home");

        // The pools overview: a chart for subscriptions and one for modules, and the export as both files.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements");
        await page.WaitForSelectorAsync("#consumption-chart");
        await page.WaitForSelectorAsync("#consumption-modules-chart");
        await page.WaitForTimeoutAsync(600); // the chart's entry animation, for the screenshot only
        await Shot(page, "tour-pools-chart");
        var (poolsCsv, poolsName) = await Download(page, "pools-export", "pools-export-csv");
        Assert.StartsWith($"pools-{acme}-", poolsName, StringComparison.Ordinal);
        Assert.Equal("Product code,Product,Kind,Purchased,Transferred,Available,Required by events,Allocated to events,Missing", CsvLines(poolsCsv)[0]);
        Assert.Contains(CsvLines(poolsCsv), l => l.StartsWith("SUBSCRIPTION,Subscription,subscription,645,", StringComparison.Ordinal));
        var (poolsXlsx, _) = await Download(page, "pools-export", "pools-export-xlsx");
        Assert.Contains(XlsxRows(poolsXlsx), r => (string)r["Product code"] == "LEAD_RETRIEVAL");

        // The events list, with each event's dates in its own zone.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements/Events");
        await page.WaitForSelectorAsync("[data-testid=events-table]");
        var (eventsCsv, _) = await Download(page, "events-export", "events-export-csv");
        var summitLine = CsvLines(eventsCsv).Single(l => l.Contains("Acme Summit 2026", StringComparison.Ordinal));
        Assert.Matches(@",Europe/Paris,\d{4}-\d{2}-\d{2}T09:00:00\+0[12]:00,", summitLine);
        var (eventsXlsx, _) = await Download(page, "events-export", "events-export-xlsx");
        Assert.Contains(XlsxRows(eventsXlsx), r => (string)r["Event"] == "Acme Summit 2026" && (string)r["Missing entitlements"] == "yes");

        // The history: activity times in the viewer's zone (New York here), UTC on hover.
        await page.GotoAsync($"/Orgs/{acme}/Entitlements/History");
        await page.WaitForSelectorAsync("[data-testid=history-table] time[data-localized]");
        var title = await page.GetAttributeAsync("[data-testid=history-table] time[data-localized]", "title");
        Assert.Contains("UTC", title ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", await page.InnerTextAsync("[data-testid=history-table] time[data-localized]"), StringComparison.Ordinal);
        var (historyCsv, _) = await Download(page, "history-export", "export-csv");
        Assert.True(CsvLines(historyCsv).Count > 1);
        var (historyXlsx, _) = await Download(page, "history-export", "export-xlsx");
        Assert.NotEmpty(XlsxRows(historyXlsx));

        // The summit's page: its dates in Paris, and who counts.
        await page.GotoAsync($"/Orgs/{acme}/Events/{summit}");
        Assert.Matches(@"09:00 – .* 18:00 Europe/Paris \(UTC\+0[12]:00\)", await page.InnerTextAsync("[data-testid=event-dates]"));
        await page.ClickAsync("[data-testid=event-tab-participants]");
        await page.WaitForSelectorAsync("[data-testid=participants-table]");
        Assert.Equal(("134", "128", "6"), (await page.InnerTextAsync("[data-count=total]"), await page.InnerTextAsync("[data-testid=participants-counted]"),
            await page.InnerTextAsync("[data-testid=participants-not-counted]")));

        await page.ClickAsync("[data-testid=show-not-counted]");
        await page.WaitForURLAsync("**show=not-counted**", BrowserFixture.Parsed);
        var rows = page.Locator("[data-participant-row]");
        Assert.Equal(6, await rows.CountAsync());
        Assert.All(await page.Locator("[data-participant-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.counted)"), c => Assert.Equal("false", c));
        var first = await rows.First.GetAttributeAsync("data-participant-row");
        await rows.First.Locator("[data-testid=history-toggle]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=participant-history]");
        Assert.DoesNotContain("open=", page.Url, StringComparison.Ordinal); // opened in place, not by a reload
        Assert.Equal(2, await page.Locator("[data-testid=participant-history] [data-change-id]").CountAsync()); // added, then cancelled
        var (notCountedCsv, participantsName) = await Download(page, "participants-export", "participants-export-csv");
        Assert.StartsWith($"participants-{summit}-", participantsName, StringComparison.Ordinal);
        var lines = CsvLines(notCountedCsv);
        Assert.Equal(7, lines.Count);
        Assert.Contains(lines, l => l.StartsWith(first + ",cancelled,no,no,", StringComparison.Ordinal));
        var (notCountedXlsx, _) = await Download(page, "participants-export", "participants-export-xlsx");
        Assert.Equal(6, XlsxRows(notCountedXlsx).Count);

        // The list by reference, with one history open: the tour's picture.
        await page.FillAsync("[data-testid=participant-search]", $"P-{summit}-012");
        await page.PressAsync("[data-testid=participant-search]", "Enter");
        await page.WaitForURLAsync("**q=**", BrowserFixture.Parsed);
        await page.ClickAsync("[data-testid=show-all]");
        await page.WaitForSelectorAsync("[data-participant-row]");
        await page.Locator("[data-participant-row]").Nth(1).Locator("[data-testid=history-toggle]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=participant-history]");
        await Shot(page, "tour-participants");

        // Live: registrations arriving from the registration system move the counts without a reload.
        var now = DateTime.UtcNow;
        await using (var scope = fx.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApplyParticipantChanges>().Handle(acme, summit,
                [.. Enumerable.Range(1, 3).Select(i => new ParticipantChange($"live-{i}", $"LIVE-{i}", ParticipantChangeType.Added, now))], CancellationToken.None);
        }

        await page.WaitForFunctionAsync("() => document.querySelector('[data-count=total]').textContent === '137'", null, new() { Timeout = 10_000 });
        Assert.Equal("131", await page.InnerTextAsync("[data-testid=participants-counted]"));
        Assert.True(await page.IsVisibleAsync("[data-testid=participants-stale]"));

        // The API explorer.
        await page.GotoAsync("/api/docs");
        await page.WaitForSelectorAsync("text=EntitlementsLive API", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync("text=Exchanges an email and password for a bearer token.");
        await Shot(page, "tour-api-docs");
        Assert.Empty(fx.CspViolations);
        await context.CloseAsync();
    }

    private async Task<(int Acme, int Summit)> Ids()
    {
        await using var scope = fx.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>();
        var summit = await db.Events.AsNoTracking().SingleAsync(e => e.Name == "Acme Summit 2026");
        return (summit.OrganizationId, summit.Id);
    }
}
