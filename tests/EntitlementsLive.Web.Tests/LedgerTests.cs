using System.Net;
using System.Net.Http.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

[Collection(AppCollection.Name)]
public class LedgerTests(AppFactory app)
{
    private Task<TransferResult> Transfer(int orgId, int eventId, string product, int? quantity, string? key = null) =>
        app.With<TransferToEvent, TransferResult>(h => h.Handle(orgId, eventId, new TransferRequest(product, quantity, key ?? Guid.NewGuid().ToString()), "test", CancellationToken.None));

    [Fact]
    public async Task ConcurrentTransfers_NeverOverdrawThePool_AndTheLedgerSumsToTheBalance()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            await Task.Yield();
            try
            {
                await Transfer(orgId, eventId, ProductCodes.Subscription, 3);
                return "ok";
            }
            catch (DomainException ex)
            {
                return ex.Code;
            }
        }));

        Assert.Equal(33, outcomes.Count(o => o == "ok"));
        Assert.Equal(31, outcomes.Count(o => o == ErrorCodes.InsufficientBalance));
        await app.WithDb(async db =>
        {
            var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription);
            var ledger = await db.Ledger.AsNoTracking().Where(l => l.OrganizationId == orgId && l.ProductCode == ProductCodes.Subscription).ToListAsync();
            var purchased = ledger.Where(l => l.Kind == LedgerKind.Purchase).Sum(l => l.Quantity);
            var transferred = ledger.Where(l => l.Kind == LedgerKind.Transfer).Sum(l => l.Quantity);
            Assert.Equal(1, pool.Available);
            Assert.Equal(purchased - transferred, pool.Available);
            Assert.Equal(99, transferred);
            Assert.Equal(99, await db.EventProducts.Where(p => p.EventId == eventId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Allocated).SingleAsync());

            // Every change got its own outbox numbers: 1..N without gaps.
            var sequences = await db.Outbox.Where(m => m.OrganizationId == orgId).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
            Assert.Equal(sequences[^1], await db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
            return 0;
        });
    }

    [Theory]
    [InlineData("UPDATE LedgerEntries SET Quantity = Quantity + 1")]
    [InlineData("DELETE FROM LedgerEntries")]
    public async Task LedgerRows_CannotBeChanged_EvenWithRawSql(string sql)
    {
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAsync<SqliteException>(() => app.WithDb(db => db.Database.ExecuteSqlRawAsync(sql)));

        Assert.Contains("ledger rows are final", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task PoolBalance_CannotGoNegative_EvenWithRawSql()
    {
        var ex = await Assert.ThrowsAsync<SqliteException>(() => app.WithDb(db =>
            db.Database.ExecuteSqlRawAsync("UPDATE Pools SET Available = Available - 100000, Transferred = Transferred + 100000")));
        Assert.Contains("CHECK", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SameIdempotencyKeyTwice_RecordsOneTransfer()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);

        var first = await Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-1");
        var second = await Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-1");

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Transaction, second.Transaction);
        Assert.Equal(6, await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync()));
        Assert.Equal(1, await app.WithDb(db => db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.Kind == LedgerKind.Transfer)));
    }

    [Fact]
    public async Task SameIdempotencyKey_SentConcurrently_RecordsOneTransfer()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 50);

        // Several rounds, so that requests do race past the first lookup and meet the unique index.
        for (var round = 0; round < 5; round++)
        {
            var key = "same-" + round;
            using var start = new ManualResetEventSlim();
            var racers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => { start.Wait(); return Transfer(orgId, eventId, ProductCodes.Subscription, 2, key); })).ToList();
            start.Set();
            var results = await Task.WhenAll(racers);
            Assert.Single(results, r => r.Created);
            Assert.Single(results.Select(r => r.Transaction.Id).Distinct());
        }

        Assert.Equal(40, await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync()));
    }

    [Fact]
    public async Task ReusedKey_WithAnotherBody_IsRefused_AndChangesNothing()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-2");
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAsync<DomainException>(() => Transfer(orgId, eventId, ProductCodes.Subscription, 5, "key-2"));

        Assert.Equal(ErrorCodes.IdempotencyKeyReused, ex.Code);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Module_CannotBeTransferredTwiceToOneEvent()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0, modules: ProductCodes.LeadRetrieval);
        await Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAsync<DomainException>(() => Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null));

        Assert.Equal(ErrorCodes.ModuleAlreadyAllocated, ex.Code);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task TransferToAPastEvent_Works_AndCoversIt()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 3, endsAt: DateTime.UtcNow.AddDays(-10));
        Assert.True((await app.WithDb(db => db.Events.SingleAsync(e => e.Id == eventId))).IsMissing);

        await Transfer(orgId, eventId, ProductCodes.Subscription, 3);

        var e = await app.WithDb(db => db.Events.AsNoTracking().Include(x => x.Products).SingleAsync(x => x.Id == eventId));
        Assert.False(e.IsMissing);
        Assert.Equal(3, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Allocated);
    }

    [Fact]
    public async Task EveryRefusal_LeavesTheDatabaseUnchanged()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5, modules: ProductCodes.LiveStreaming);
        var (otherOrg, otherEvent) = await app.NewOrganization(subscriptions: 5);
        var before = await app.Fingerprint();

        (Func<Task> Act, string Code)[] refusals =
        [
            (() => Transfer(orgId, eventId, ProductCodes.Subscription, 6), ErrorCodes.InsufficientBalance),
            (() => Transfer(orgId, eventId, ProductCodes.Gamification, null), ErrorCodes.InsufficientBalance),
            (() => Transfer(orgId, eventId, ProductCodes.Subscription, 0), ErrorCodes.Validation),
            (() => Transfer(orgId, eventId, ProductCodes.Subscription, null), ErrorCodes.Validation),
            (() => Transfer(orgId, eventId, ProductCodes.LiveStreaming, 2), ErrorCodes.Validation),
            (() => Transfer(orgId, eventId, "NO_SUCH_PRODUCT", 1), ErrorCodes.Validation),
            (() => Transfer(orgId, eventId, ProductCodes.Subscription, 1, key: ""), ErrorCodes.Validation),
            (() => Transfer(orgId, otherEvent, ProductCodes.Subscription, 1), ErrorCodes.NotFound),
            (() => Transfer(otherOrg, eventId, ProductCodes.Subscription, 1), ErrorCodes.NotFound),
        ];
        foreach (var (act, code) in refusals)
        {
            var ex = await Assert.ThrowsAsync<DomainException>(act);
            Assert.Equal(code, ex.Code);
        }

        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task CancelledParticipant_WhoActivatedTheApp_StillCounts()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        var t = DateTime.UtcNow;
        var result = await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
        [
            new("a1", "alice", ParticipantChangeType.Added, t),
            new("a2", "alice", ParticipantChangeType.Activated, t.AddMinutes(1)),
            new("a3", "alice", ParticipantChangeType.Cancelled, t.AddMinutes(2)),
            new("b1", "bob", ParticipantChangeType.Added, t),
            new("b2", "bob", ParticipantChangeType.Cancelled, t.AddMinutes(1)),
        ], CancellationToken.None));

        Assert.Equal(new ParticipantChangesResult(5, 5, 0), result);
        var e = await app.WithDb(db => db.Events.AsNoTracking().Include(x => x.Products).SingleAsync(x => x.Id == eventId));
        Assert.Equal(1, e.CountedParticipants);
        Assert.Equal(1, e.ActivatedParticipants);
        Assert.Equal(1, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
    }

    [Fact]
    public async Task ParticipantChanges_AreIdempotent_AndOrderedByWhenTheyOccurred()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        var t = DateTime.UtcNow;
        ParticipantChange[] batch =
        [
            new("x2", "carol", ParticipantChangeType.Cancelled, t.AddMinutes(5)),
            new("x1", "carol", ParticipantChangeType.Added, t),
            new("y1", "dave", ParticipantChangeType.Added, t),
        ];

        var first = await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId, batch, CancellationToken.None));
        var fingerprint = await app.Fingerprint();
        var second = await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId, batch, CancellationToken.None));

        Assert.Equal(new ParticipantChangesResult(3, 3, 0), first);
        Assert.Equal(new ParticipantChangesResult(3, 0, 3), second);
        Assert.Equal(fingerprint, await app.Fingerprint());
        Assert.Equal(1, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));

        // A cancel sent in a later batch but older than the add already applied changes nothing.
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("y0", "dave", ParticipantChangeType.Cancelled, t.AddMinutes(-1))], CancellationToken.None));
        Assert.Equal(1, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
    }

    [Fact]
    public async Task Api_Transfer_Answers201_ThenTheSameTransactionWith200()
    {
        var orgId = await app.OrgId("Acme Events");
        var summit = await app.EventNamed("Acme Summit 2026");
        using var client = await app.ApiAs("admin@acme.test");
        var body = new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = Guid.NewGuid().ToString() };

        var first = await client.PostAsJsonAsync($"/api/orgs/{orgId}/events/{summit.Id}/transfers", body);
        var second = await client.PostAsJsonAsync($"/api/orgs/{orgId}/events/{summit.Id}/transfers", body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
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
