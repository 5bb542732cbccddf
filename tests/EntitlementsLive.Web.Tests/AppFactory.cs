using System.Net.Http.Headers;
using System.Net.Http.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Demo;
using EntitlementsLive.Web.Features.Purchases;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>The real app on its own database (see <see cref="TestDatabase"/>: a unique SQLite file or PostgreSQL database), seeded with the demo data.</summary>
public class AppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    private readonly bool _ownsDatabase;

    /// <summary>An app on a database of its own, dropped with it.</summary>
    public AppFactory()
    {
        Database = TestDatabase.New();
        _ownsDatabase = true;
    }

    /// <summary>An app on <paramref name="database"/>, which other apps may share (several nodes, a restart): its creator drops it.</summary>
    protected AppFactory(string database) => Database = database;

    public string Database { get; }

    protected virtual IDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in TestDatabase.Settings(Database))
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Database:SeedDemoData", "true");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // The suite signs in hundreds of times from one address; SecurityTests checks the limit itself.
        builder.UseSetting("SignIn:PermitsPerMinute", "100000");
        // Rendering the first tabs at start-up would run beside each test's own requests; PageWarmUpTests turns it on.
        builder.UseSetting("WarmUp:Pages", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(ReplaceServices);
    }

    /// <summary>Replaces edges of the app (the clock, say) for one kind of test.</summary>
    protected virtual void ReplaceServices(IServiceCollection services)
    {
    }

    public async Task<T> WithDb<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async Task<T> With<TService, T>(Func<TService, Task<T>> work) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Runs a service as the user with this e-mail would in a request of theirs (their memberships, their name).</summary>
    public async Task<T> As<TService, T>(string email, Func<TService, Task<T>> work) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Users.AsNoTracking().SingleAsync(u => u.Email == email);
        var identity = new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, user.Id), new(System.Security.Claims.ClaimTypes.Email, email)], "test");
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = new(identity) };
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Removes, through the API as an administrator, the user's membership in one event's team.</summary>
    public static async Task RemoveTeamMembership(HttpClient admin, int orgId, string email, int eventId)
    {
        var members = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/orgs/{orgId}/memberships");
        var membership = members.EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == email && m.GetProperty("eventId").GetInt32() == eventId).GetProperty("id").GetInt32();
        var removed = await admin.DeleteAsync($"/api/orgs/{orgId}/memberships/{membership}");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, removed.StatusCode);
    }

    /// <summary>An API client signed in with a bearer token, as scripts use it.</summary>
    public async Task<HttpClient> ApiAs(string email)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (!_tokens.TryGetValue(email, out var token))
        {
            var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password });
            login.EnsureSuccessStatusCode();
            token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
            _tokens[email] = token;
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A new user with the given memberships (password as the demo users').</summary>
    public async Task<string> NewUser(params Func<string, Membership>[] memberships)
    {
        var email = "u" + Guid.NewGuid().ToString("N")[..10] + "@test.example";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, DisplayName = email };
        var created = await users.CreateAsync(user, DemoSeeder.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var membership in memberships)
        {
            db.Memberships.Add(membership(user.Id));
        }

        await db.SaveChangesAsync();
        return email;
    }

    /// <summary>An Entitlement Manager of Acme (the demo data has none), for the authorization matrix.</summary>
    public const string AcmeManager = "manager@acme.example";

    public async Task EnsureAcmeManager()
    {
        if (await WithDb(db => db.Users.AnyAsync(u => u.Email == AcmeManager)))
        {
            return;
        }

        var acme = await OrgId("Acme Events");
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = new AppUser { UserName = AcmeManager, Email = AcmeManager, DisplayName = "Acme manager" };
        Assert.True((await users.CreateAsync(user, DemoSeeder.Password)).Succeeded);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Memberships.Add(Membership.Manager(user.Id, acme));
        await db.SaveChangesAsync();
    }

    public Task<int> OrgId(string name) => WithDb(db => db.Organizations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync());

    public Task<Event> EventNamed(string name) => WithDb(db => db.Events.AsNoTracking().Include(e => e.Products).SingleAsync(e => e.Name == name));

    /// <summary>A fresh organization with its own pools and one event, for tests that must not share figures.</summary>
    public async Task<(int OrgId, int EventId)> NewOrganization(long subscriptions, int participants = 0, DateTime? endsAt = null, params string[] modules)
    {
        var org = new Organization("Org " + Guid.NewGuid().ToString("N")[..8], entitlementsActivated: true);
        await WithDb(async db => { db.Organizations.Add(org); return await db.SaveChangesAsync(); });
        var end = endsAt ?? DateTime.UtcNow.AddDays(30);
        var e = new Event(org.Id, "Event of " + org.Name, end.AddDays(-1), end);
        foreach (var module in modules)
        {
            e.UseModule(module);
        }

        await WithDb(async db => { db.Events.Add(e); return await db.SaveChangesAsync(); });
        if (subscriptions > 0)
        {
            await Purchase(org.Id, ProductCodes.Subscription, subscriptions);
        }

        foreach (var module in modules)
        {
            await Purchase(org.Id, module, 2);
        }

        if (participants > 0)
        {
            var changes = Enumerable.Range(1, participants)
                .Select(i => new Features.Participants.ParticipantChange($"c{e.Id}-{i}", $"p{i}", ParticipantChangeType.Added, DateTime.UtcNow))
                .ToList();
            await With<Features.Participants.ApplyParticipantChanges, Features.Participants.ParticipantChangesResult>(h => h.Handle(org.Id, e.Id, changes, CancellationToken.None));
        }

        return (org.Id, e.Id);
    }

    public Task<PurchaseResult> Purchase(int orgId, string product, long quantity) =>
        With<RecordPurchase, PurchaseResult>(h => h.Handle(orgId, new PurchaseRequest(product, quantity, "TEST", Guid.NewGuid().ToString()), "test", CancellationToken.None));

    /// <summary>
    /// Everything a refused operation must leave as it was. What the minutely jobs would settle (events that earlier
    /// tests left ended but not yet announced, warnings, projected shortfalls) is settled first, so they cannot change
    /// the figures between two fingerprints.
    /// </summary>
    public async Task<string> Fingerprint()
    {
        await With<Features.Events.AnnouncePastEvents, int>(h => h.Handle(CancellationToken.None));
        await With<Features.Alerts.SweepUncoveredSoon, int>(h => h.Handle(CancellationToken.None));
        await With<Features.Forecasts.SweepProjectedShortfalls, int>(h => h.Handle(CancellationToken.None));
        return await Figures();
    }

    private Task<string> Figures() => WithDb(async db =>
    {
        var pools = string.Join(";", (await db.Pools.AsNoTracking().ToListAsync()).Select(p => $"{p.OrganizationId}/{p.ProductCode}={p.Purchased},{p.Transferred},{p.Available}"));
        var allocations = string.Join(";", (await db.EventProducts.AsNoTracking().ToListAsync()).Select(p => $"{p.EventId}/{p.ProductCode}={p.Required},{p.Allocated}"));
        var events = string.Join(";", (await db.Events.AsNoTracking().ToListAsync()).Select(e => $"{e.Id}={e.CountedParticipants},{e.ActivatedParticipants},{e.IsMissing}"));
        var sequences = string.Join(";", await db.Organizations.Select(o => o.LastSequence + "/" + o.UncoveredSoonDays).ToListAsync());
        var levels = string.Join(";", (await db.PoolThresholds.AsNoTracking().ToListAsync()).Select(t => $"{t.Id}={t.OrganizationId}/{t.ProductCode}/{t.Kind}/{t.Value}"));
        return $"ledger={await db.Ledger.CountAsync()} outbox={await db.Outbox.CountAsync()} participants={await db.Participants.CountAsync()} " +
               $"changes={await db.AppliedChanges.CountAsync()} seq={sequences} pools={pools} alloc={allocations} events={events} " +
               $"levels={levels} alerts={await db.Alerts.CountAsync()}/{await db.Alerts.CountAsync(a => a.OpenKey != null)}";
    });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDatabase)
        {
            TestDatabase.Drop(Database);
        }
    }

    private sealed record TokenResponse(string TokenType, string AccessToken, int ExpiresIn);
}

/// <summary>Test classes that host the app share one collection: Hangfire keeps process-wide statics.</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFactory>
{
    public const string Name = "app";
}
