using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>What a database holds from its first start: the built-in catalog, and the demo data when asked for.</summary>
[Collection(AppCollection.Name)]
public class DataTests(AppFactory app)
{
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
