using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The write path's plain reads (<see cref="ModelRows{T}"/>) give back what EF Core's own reading gives, property by
/// property of the model, on the provider the suite runs on: a column left out, a converter skipped (the UTC instants,
/// the enums) or products in another order would show here.
/// </summary>
[Collection(AppCollection.Name)]
public class WriteQueryTests(AppFactory app)
{
    [Fact]
    public async Task TheEventWithItsProducts_ReadPlain_IsWhatEfCoreReads_PropertyByProperty()
    {
        var (orgId, plainId) = await app.NewOrganization(subscriptions: 10);
        var start = new DateTime(2027, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);
        var synced = new Event(orgId, "Synced «ünïcode» event", start, start.AddDays(2));
        synced.Sync("ext-" + Guid.NewGuid().ToString("N"), "Synced «ünïcode» event", start, start.AddDays(2).AddTicks(7), ProductionStatus.Preproduction,
            [ProductCodes.LiveStreaming, ProductCodes.LeadRetrieval], "Europe/Paris");
        synced.ApplyCounters(new CounterDelta(5, 3));
        synced.AnnouncePast();
        await app.WithDb(async db => { db.Events.Add(synced); return await db.SaveChangesAsync(); });
        await app.Purchase(orgId, ProductCodes.LeadRetrieval, 1);
        await app.Transfer(orgId, synced.Id, ProductCodes.LeadRetrieval, null);
        await app.Transfer(orgId, synced.Id, ProductCodes.Subscription, 2);

        foreach (var eventId in new[] { plainId, synced.Id })
        {
            await app.WithDb(async db =>
            {
                var expected = await db.Events.AsNoTracking().Include(e => e.Products).SingleAsync(e => e.Id == eventId);
                await using var tx = await db.Database.BeginTransactionAsync();
                var read = await WriteQueries.EventAsync(db, orgId, eventId, CancellationToken.None);
                Assert.NotNull(read);
                AssertSame(db.Model.FindEntityType(typeof(Event))!, expected, read);
                Assert.Equal(expected.Products.Select(p => p.ProductCode), read.Products.Select(p => p.ProductCode));
                foreach (var (e, r) in expected.Products.Zip(read.Products))
                {
                    AssertSame(db.Model.FindEntityType(typeof(EventProduct))!, e, r);
                }

                return 0;
            });
        }

        var again = await app.WithDb(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            return await WriteQueries.EventAsync(db, orgId, synced.Id, CancellationToken.None);
        });
        var read = again!;
        Assert.Equal(3, read.Products.Count);
        Assert.Equal(ProductionStatus.Preproduction, read.ProductionStatus);
        Assert.Equal(DateTimeKind.Utc, read.StartsAt.Kind);
        Assert.True(Math.Abs((read.StartsAt - start).Ticks) < 10, $"{read.StartsAt:O} is not {start:O} (PostgreSQL keeps microseconds)");
        Assert.True(read.PastAnnounced);
        Assert.Equal("Europe/Paris", read.TimeZone);
        Assert.Equal(1, read.Products.Single(p => p.ProductCode == ProductCodes.LeadRetrieval).Allocated);
        Assert.True(read.Products.Single(p => p.ProductCode == ProductCodes.LiveStreaming).InUse);
    }

    [Fact]
    public async Task AnEventOfAnotherOrganization_OrNone_ReadsAsNothing()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0);
        var (otherOrg, _) = await app.NewOrganization(subscriptions: 0);
        await app.WithDb(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.NotNull(await WriteQueries.EventAsync(db, orgId, eventId, CancellationToken.None));
            Assert.Null(await WriteQueries.EventAsync(db, otherOrg, eventId, CancellationToken.None));
            Assert.Null(await WriteQueries.EventAsync(db, orgId, int.MaxValue, CancellationToken.None));
            return 0;
        });
    }

    private static void AssertSame(IEntityType type, object expected, object actual)
    {
        foreach (var property in type.GetProperties())
        {
            var e = property.PropertyInfo!.GetValue(expected);
            var a = property.PropertyInfo!.GetValue(actual);
            Assert.True(Equals(e, a), $"{type.ClrType.Name}.{property.Name}: EF Core read {e ?? "null"}, the plain read {a ?? "null"}");
            if (e is DateTime instant)
            {
                Assert.Equal(instant.Kind, ((DateTime)a!).Kind);
            }
        }
    }
}
