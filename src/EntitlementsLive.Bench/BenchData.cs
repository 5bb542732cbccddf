using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EntitlementsLive.Bench;

/// <summary>The app's own handlers, in this process, on a file: for the ledger figures and to generate data.</summary>
public sealed class InProcess : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private InProcess(ServiceProvider services, string database)
    {
        _services = services;
        Database = database;
    }

    public string Database { get; }

    public static async Task<InProcess> CreateAsync(string database)
    {
        var settings = new Dictionary<string, string?> { ["Database:SeedDemoData"] = "false" };
        foreach (var (key, value) in BenchDatabase.Settings(database))
        {
            settings[key] = value;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(config);
        services.AddDataProtection();
        services.AddPersistence(config, Path.GetDirectoryName(database)!);
        services.AddSecurity();
        services.AddFeatures();
        services.AddSingleton<IChangeNotifier, NoPush>();
        var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            if (scope.ServiceProvider.GetService<Web.Data.PostgreSql.PostgreSqlDatabase>() is { } postgres)
            {
                await postgres.EnsureDatabaseAsync(CancellationToken.None);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }

            await db.Database.MigrateAsync();
            if (!await db.Products.AnyAsync())
            {
                db.Products.AddRange(
                    new Product(ProductCodes.Subscription, "Subscription", ProductKind.Subscription),
                    new Product(ProductCodes.LeadRetrieval, "Lead Retrieval", ProductKind.Module),
                    new Product(ProductCodes.LiveStreaming, "Live Streaming", ProductKind.Module),
                    new Product(ProductCodes.Gamification, "Gamification", ProductKind.Module));
                await db.SaveChangesAsync();
            }
        }

        return new InProcess(provider, database);
    }

    public async Task<T> With<TService, T>(Func<TService, Task<T>> work) where TService : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> Db<T>(Func<AppDbContext, Task<T>> work) => With(work);

    public async Task<int> Organization(string name, long subscriptions)
    {
        var org = new Organization(name, entitlementsActivated: true);
        await Db(async db => { db.Organizations.Add(org); return await db.SaveChangesAsync(); });
        await With<RecordPurchase, PurchaseResult>(h => h.Handle(org.Id, new PurchaseRequest(ProductCodes.Subscription, subscriptions, "BENCH", "bench-" + org.Id), "bench", CancellationToken.None));
        return org.Id;
    }

    public Task<PurchaseResult> Purchase(int organizationId, string productCode, long quantity) =>
        With<RecordPurchase, PurchaseResult>(h => h.Handle(organizationId, new PurchaseRequest(productCode, quantity, "BENCH", Guid.NewGuid().ToString("N")), "bench", CancellationToken.None));

    public async Task<List<int>> Events(int organizationId, int count, int participants)
    {
        var events = Enumerable.Range(1, count).Select(i => new Event(organizationId, $"Bench event {organizationId}-{i}",
            Clock.UtcNow.AddDays(1), Clock.UtcNow.AddDays(30 + i))).ToList();
        await Db(async db => { db.Events.AddRange(events); return await db.SaveChangesAsync(); });
        foreach (var e in events.Where(_ => participants > 0))
        {
            var changes = Enumerable.Range(1, participants).Select(i => new ParticipantChange($"seed-{e.Id}-{i}", $"seed-{i}", ParticipantChangeType.Added, Clock.UtcNow)).ToList();
            await With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(organizationId, e.Id, changes, CancellationToken.None));
        }

        return events.Select(e => e.Id).ToList();
    }

    public async Task<string> User(string email, Func<string, Membership> membership)
    {
        await using var scope = _services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, DisplayName = email };
        var created = await users.CreateAsync(user, Api.Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Memberships.Add(membership(user.Id));
        await db.SaveChangesAsync();
        return email;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The ledger figures measure the handler alone; nobody is listening in this process.</summary>
    private sealed class NoPush : IChangeNotifier
    {
        public void Committed(int organizationId)
        {
        }
    }
}
