using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EntitlementsLive.BrowserTests;

/// <summary>The real app on Kestrel (a random loopback port, its own SQLite file) and Debian's Chromium.</summary>
public class BrowserFixture : IAsyncLifetime, IDisposable
{
    private readonly KestrelApp _app;

    public BrowserFixture() => _app = new KestrelApp(SeedDemoData, Settings);

    /// <summary>The demo data of API.md; the onboarding test starts from an empty database instead.</summary>
    protected virtual bool SeedDemoData => true;

    /// <summary>Further settings of this fixture's app.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public IServiceProvider Services => _app.Services;

    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        _app.UseKestrel(0);
        _app.StartServer();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        Directory.CreateDirectory(ScreenshotDir);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task<IPage> SignedIn(string email) => await SignedIn(email, await NewContext());

    public async Task<IPage> SignedIn(string email, IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "Demo!2345");
        await page.ClickAsync("[data-testid=sign-in]");
        try
        {
            // Generous: the first sign-in of a run shares two cores with the other test assemblies.
            await ReachedHome(page, BaseUrl);
        }
        catch (TimeoutException ex)
        {
            var body = await page.InnerTextAsync("body");
            throw new TimeoutException($"Signing in as {email} did not reach the home page; the page at {page.Url} says: {body[..Math.Min(body.Length, 600)]}", ex);
        }

        return page;
    }

    /// <summary>
    /// The sign-in's redirect reached the home page and it rendered: waited for by the home page's heading, then the
    /// address checked. Not by a load state: under load (two cores shared with the other test assemblies) the load event
    /// has been seen to come long after the page was on screen, and once a wait for the navigation's commit timed out
    /// with the home page already shown at its address.
    /// </summary>
    public static async Task ReachedHome(IPage page, string baseUrl)
    {
        await page.WaitForSelectorAsync("text=Backstage home", new() { Timeout = 45_000 });
        if (page.Url != baseUrl + "/")
        {
            throw new TimeoutException($"The home page's heading is shown at {page.Url}, not at {baseUrl}/.");
        }
    }

    /// <summary>
    /// A navigation's wait: until the new page is parsed, not until its load event, which a loaded machine has been seen
    /// to hold back for longer than the timeout with the page on screen.
    /// </summary>
    public static readonly PageWaitForURLOptions Parsed = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    /// <summary>Console messages saying the Content-Security-Policy refused something, from every page of every context.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CspViolations { get; } = new();

    /// <summary>A fresh browser session on the app, watched for Content-Security-Policy violations.</summary>
    public async Task<IBrowserContext> NewContext()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                CspViolations.Enqueue(message.Text);
            }
        };
        return context;
    }

    /// <summary>A second administrator of Acme, for the tests that watch one admin's change from another session.</summary>
    public async Task<string> SecondAcmeAdmin()
    {
        const string email = "second.admin@acme.test";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<EntitlementsLive.Web.Data.AppUser>>();
        if (await users.FindByEmailAsync(email) is null)
        {
            var user = new EntitlementsLive.Web.Data.AppUser { UserName = email, Email = email, DisplayName = "Sam Second (Acme)" };
            Assert.True((await users.CreateAsync(user, "Demo!2345")).Succeeded);
            var db = scope.ServiceProvider.GetRequiredService<EntitlementsLive.Web.Data.AppDbContext>();
            var acme = db.Organizations.Single(o => o.Name == "Acme Events");
            db.Memberships.Add(EntitlementsLive.Domain.Membership.Administrator(user.Id, acme.Id));
            await db.SaveChangesAsync();
        }

        return email;
    }

    public static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await _app.DisposeAsync();
    }

    private sealed class KestrelApp(bool seedDemoData, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        private readonly string _db = Path.Combine(Path.GetTempPath(), "entitlementslive-browser", Guid.NewGuid().ToString("N"), "test.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Database:Path", _db);
            builder.UseSetting("Database:SeedDemoData", seedDemoData ? "true" : "false");
            builder.UseSetting("SignIn:PermitsPerMinute", "1000");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

/// <summary>Browser test classes run one after another (two cores); each class has its own app and database.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
