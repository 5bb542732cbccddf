using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>What a database holds from its first start: the built-in catalog, and the demo data when asked for.</summary>
[Collection(AppCollection.Name)]
public class DataTests(AppFactory app)
{
    [Fact]
    public async Task StartUp_GivesSqlitesPlannerItsStatistics_AndTheHourlyJobKeepsThem()
    {
        // Start-up analyzed the seeded tables: the planner knows how selective each Events index is.
        var analyzed = await app.WithDb(db => TestDatabase.IsPostgreSql
            ? Task.FromResult(-1)
            : db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_stat1 WHERE tbl = 'Events' AND idx = 'IX_Events_OrganizationId_StartsAt_EndsAt'").SingleAsync());
        var ran = await app.With<Features.Shared.RefreshPlannerStatistics, bool>(s => s.Handle(atStartUp: false, CancellationToken.None));

        Assert.Equal(TestDatabase.IsPostgreSql ? -1 : 1, analyzed);
        Assert.Equal(!TestDatabase.IsPostgreSql, ran);
    }

    [Fact]
    public async Task DemoData_IsAsTheContractDescribes()
    {
        await app.WithDb(async db =>
        {
            var orgs = await db.Organizations.AsNoTracking().Where(o => !o.Name.StartsWith("Org ")).OrderBy(o => o.Name).ToListAsync();
            Assert.Equal(["Acme Events", "Globex Live", "Initech Meetups"], orgs.Select(o => o.Name));
            Assert.Equal([true, true, false], orgs.Select(o => o.EntitlementsActivated));
            var summit = await db.Events.AsNoTracking().Include(e => e.Products).SingleAsync(e => e.Name == "Acme Summit 2026");
            Assert.True(summit.EndsAt > DateTime.UtcNow);
            Assert.True(summit.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Missing > 0);
            Assert.Equal(5, await db.Users.CountAsync(u => u.Email!.EndsWith(".test")));
            foreach (var org in orgs.Where(o => o.EntitlementsActivated))
            {
                var events = await db.Events.AsNoTracking().Where(e => e.OrganizationId == org.Id).ToListAsync();
                Assert.Contains(events, e => e.EndsAt > DateTime.UtcNow);
                Assert.Contains(events, e => e.EndsAt <= DateTime.UtcNow);
                Assert.Contains(events, e => e.IsMissing);
                Assert.Contains(events, e => !e.IsMissing);
            }

            return 0;
        });
    }
}

/// <summary>A database started without demo data: what a platform adopting the product starts from.</summary>
[Collection(AppCollection.Name)]
public sealed class EmptyDatabaseTests : IDisposable
{
    private readonly EmptyApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task EmptyDatabase_HoldsTheFourBuiltInProducts_AndNothingElse()
    {
        var products = await _app.WithDb(db => db.Products.AsNoTracking().OrderBy(p => p.Code).ToListAsync());

        Assert.Equal([ProductCodes.Gamification, ProductCodes.LeadRetrieval, ProductCodes.LiveStreaming, ProductCodes.Subscription], products.Select(p => p.Code));
        Assert.Equal(ProductKind.Subscription, products.Single(p => p.Code == ProductCodes.Subscription).Kind);
        Assert.All(products.Where(p => p.Code != ProductCodes.Subscription), p => Assert.Equal(ProductKind.Module, p.Kind));
        Assert.Equal(0, await _app.WithDb(db => db.Organizations.CountAsync()));
        Assert.Equal(0, await _app.WithDb(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task EmptyDatabase_AcceptsAPurchase_ForAnyBuiltInProduct()
    {
        var org = new Organization("First customer", entitlementsActivated: true);
        await _app.WithDb(async db => { db.Organizations.Add(org); return await db.SaveChangesAsync(); });

        foreach (var product in ProductCodes.BuiltIn())
        {
            var result = await _app.Purchase(org.Id, product.Code, 3);
            Assert.Equal(3, result.Transaction.BalanceAfter);
        }
    }

    private sealed class EmptyApp : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Database:SeedDemoData"] = "false",
            ["Jobs:Recurring"] = "false",
        };
    }
}
