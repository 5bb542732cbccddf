using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Transfers: the guarded ledger writes, idempotency, finality and their answers.</summary>
[Collection(AppCollection.Name)]
public class TransferTests(AppFactory app)
{
    [Fact]
    public async Task ConcurrentTransfers_NeverOverdrawThePool_AndTheLedgerSumsToTheBalance()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            await Task.Yield();
            try
            {
                await app.Transfer(orgId, eventId, ProductCodes.Subscription, 3);
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
    [InlineData(10, 10)]
    [InlineData(10, 11)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    public async Task TheLedgersGuard_AcceptsExactlyWhatTheDomainsRuleAccepts(long available, int quantity)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: available);
        var before = await app.Fingerprint();

        var recorded = await Record(() => app.Transfer(orgId, eventId, ProductCodes.Subscription, quantity));

        Assert.Equal(Pool.CanCover(available, quantity), recorded);
        if (!recorded)
        {
            Assert.Equal(before, await app.Fingerprint());
        }
    }

    private static async Task<bool> Record(Func<Task> transfer)
    {
        try
        {
            await transfer();
            return true;
        }
        catch (DomainException ex) when (ex.Code == ErrorCodes.InsufficientBalance)
        {
            return false;
        }
    }

    [Fact]
    public async Task ModuleTheEventHolds_IsRefusedForThatReason_EvenWhenThePoolIsEmpty()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0, modules: ProductCodes.LeadRetrieval);
        await app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        await app.Transfer(orgId, eventId: (await app.NewOrganizationEvent(orgId)), ProductCodes.LeadRetrieval, null);

        var ex = await Assert.ThrowsAsync<DomainException>(() => app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null));

        Assert.Equal(ErrorCodes.ModuleAlreadyAllocated, ex.Code);
    }

    [Theory]
    [InlineData("""UPDATE "LedgerEntries" SET "Quantity" = "Quantity" + 1""")]
    [InlineData("""DELETE FROM "LedgerEntries" """)]
    public async Task LedgerRows_CannotBeChanged_EvenWithRawSql(string sql)
    {
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.WithDb(db => db.Database.ExecuteSqlRawAsync(sql)));

        Assert.Contains(Finality.Refusal, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task PoolBalance_CannotGoNegative_EvenWithRawSql()
    {
        var ex = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.WithDb(db =>
            db.Database.ExecuteSqlRawAsync("""UPDATE "Pools" SET "Available" = "Available" - 100000, "Transferred" = "Transferred" + 100000""")));
        Assert.Contains("CHECK", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SameIdempotencyKeyTwice_RecordsOneTransfer()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);

        var first = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-1");
        var second = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-1");

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
            var racers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => { start.Wait(); return app.Transfer(orgId, eventId, ProductCodes.Subscription, 2, key); })).ToList();
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
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 4, "key-2");
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAsync<DomainException>(() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 5, "key-2"));

        Assert.Equal(ErrorCodes.IdempotencyKeyReused, ex.Code);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task Module_CannotBeTransferredTwiceToOneEvent()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0, modules: ProductCodes.LeadRetrieval);
        await app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        var before = await app.Fingerprint();

        var ex = await Assert.ThrowsAsync<DomainException>(() => app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null));

        Assert.Equal(ErrorCodes.ModuleAlreadyAllocated, ex.Code);
        Assert.Equal(before, await app.Fingerprint());
    }

    [Fact]
    public async Task TransferToAPastEvent_Works_AndCoversIt()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 3, endsAt: DateTime.UtcNow.AddDays(-10));
        Assert.True((await app.WithDb(db => db.Events.SingleAsync(e => e.Id == eventId))).IsMissing);

        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 3);

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
            (() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 6), ErrorCodes.InsufficientBalance),
            (() => app.Transfer(orgId, eventId, ProductCodes.Gamification, null), ErrorCodes.InsufficientBalance),
            (() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 0), ErrorCodes.Validation),
            (() => app.Transfer(orgId, eventId, ProductCodes.Subscription, null), ErrorCodes.Validation),
            (() => app.Transfer(orgId, eventId, ProductCodes.LiveStreaming, 2), ErrorCodes.Validation),
            (() => app.Transfer(orgId, eventId, "NO_SUCH_PRODUCT", 1), ErrorCodes.Validation),
            (() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 1, key: ""), ErrorCodes.Validation),
            (() => app.Transfer(orgId, otherEvent, ProductCodes.Subscription, 1), ErrorCodes.NotFound),
            (() => app.Transfer(otherOrg, eventId, ProductCodes.Subscription, 1), ErrorCodes.NotFound),

            // An unknown event is named before what else is wrong with the request.
            (() => app.Transfer(orgId, otherEvent, ProductCodes.Subscription, 0), ErrorCodes.NotFound),
            (() => app.Transfer(orgId, int.MaxValue, "NO_SUCH_PRODUCT", 1, key: ""), ErrorCodes.NotFound),
        ];
        foreach (var (act, code) in refusals)
        {
            var ex = await Assert.ThrowsAsync<DomainException>(act);
            Assert.Equal(code, ex.Code);
        }

        Assert.Equal(before, await app.Fingerprint());
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
    public async Task EventTeam_ReadsCoverage_ButNotTheTransfers()
    {
        var summit = await app.EventNamed("Acme Summit 2026");
        using var team = await app.ApiAs("team@acme.test");
        using var admin = await app.ApiAs("admin@acme.test");
        var url = $"/api/orgs/{summit.OrganizationId}/events/{summit.Id}/entitlements";

        var asTeam = await team.GetFromJsonAsync<JsonElement>(url);
        var asAdmin = await admin.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(0, asTeam.GetProperty("transactions").GetArrayLength());
        Assert.True(asAdmin.GetProperty("transactions").GetArrayLength() > 0);
        Assert.Equal(asAdmin.GetProperty("countedParticipants").GetInt32(), asTeam.GetProperty("countedParticipants").GetInt32());
    }
}

/// <summary>Strict input: what a careless or hostile client sends is refused whole, with the reason, and changes nothing.</summary>
[Collection(AppCollection.Name)]
public class StrictInputTests(AppFactory app)
{
    public static TheoryData<string, string> BadTransfers() => new()
    {
        { "{\"productCode\":\"SUBSCRIPTION\",\"quantity\":\"5\",\"idempotencyKey\":\"k1\"}", "a number sent as a string" },
        { "{\"productCode\":\"SUBSCRIPTION\",\"quantity\":-1,\"quantity\":1,\"idempotencyKey\":\"k2\"}", "a property given twice" },
        { "{\"productCode\":\"LEAD_RETRIEVAL\",\"quantity\":1,\"idempotencyKey\":\"k3\"}", "a quantity for a module" },
        { "{\"productCode\":\"SUBSCRIPTION\",\"quantity\":1.5,\"idempotencyKey\":\"k4\"}", "a fraction" },
    };

    [Theory]
    [MemberData(nameof(BadTransfers))]
    public async Task Transfer_IsRefused_AndChangesNothing(string body, string why)
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        await app.Purchase(orgId, ProductCodes.LeadRetrieval, 1);
        var before = await app.Fingerprint();

        var response = await api.PostAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await app.Fingerprint());
    }

    public static TheoryData<string, string, string, string> BadChanges() => new()
    {
        { "c1", "p1", "ADDED ", "2026-01-01T00:00:00Z" },
        { "c1", "p1", "canceled", "2026-01-01T00:00:00Z" },
        { "c1", "p1", "added", "0001-01-01T00:00:00Z" },
        { "c1", "p1", "added", "2026-01-01T00:00:00Z\u0000" },
        { "c1", "p1", "added", "2026-01-01T00:00:00" },
        { "c1\u0007", "p1", "added", "2026-01-01T00:00:00Z" },
        { "c1", "p\u00001", "added", "2026-01-01T00:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task ParticipantChange_IsRefused_WithItsRow_AndStoresNothing(string changeId, string participantRef, string type, string occurredAt)
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 1);
        var before = await app.WithDb(db => db.ParticipantBatches.CountAsync());

        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes",
            new { changes = new[] { new { changeId, participantRef, type, occurredAt } } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("errors").TryGetProperty("changes[1]", out _));
        Assert.Equal(before, await app.WithDb(db => db.ParticipantBatches.CountAsync()));
    }
}
