using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Participant changes: counting, idempotency, ordering, batches and auto-cover.</summary>
[Collection(AppCollection.Name)]
public class ParticipantTests(AppFactory app)
{
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
    public async Task SameBatchTwice_ChangesNothingTheSecondTime()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        var t = DateTime.UtcNow;
        var changes = Enumerable.Range(1, 20).Select(i => BatchApi.Change("c" + i, "p" + i, "added", t)).ToList();

        var first = await BatchApi.WaitUntilFinished(api, orgId, (await BatchApi.Submit(api, orgId, eventId, changes)).GetProperty("batchId").GetString()!);
        var fingerprint = await app.Fingerprint();
        var second = await BatchApi.WaitUntilFinished(api, orgId, (await BatchApi.Submit(api, orgId, eventId, changes)).GetProperty("batchId").GetString()!);

        Assert.Equal(("done", 20, 20, 0), (first.GetProperty("status").GetString(), first.GetProperty("received").GetInt32(), first.GetProperty("applied").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal(("done", 20, 0, 20), (second.GetProperty("status").GetString(), second.GetProperty("received").GetInt32(), second.GetProperty("applied").GetInt32(), second.GetProperty("duplicates").GetInt32()));
        Assert.Equal(fingerprint, await app.Fingerprint());
        Assert.Equal(20, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
    }

    [Fact]
    public async Task CancelThatArrivesBeforeItsAdd_IsOrderedByOccurredAt()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        var t = DateTime.UtcNow;
        var batch = await BatchApi.Submit(api, orgId, eventId, [BatchApi.Change("k2", "kim", "cancelled", t.AddMinutes(5)), BatchApi.Change("k1", "kim", "added", t), BatchApi.Change("l1", "lee", "added", t)]);
        await BatchApi.WaitUntilFinished(api, orgId, batch.GetProperty("batchId").GetString()!);

        // And across batches: an add older than the cancel already applied changes nothing.
        var late = await BatchApi.Submit(api, orgId, eventId, [BatchApi.Change("l0", "lee", "cancelled", t.AddMinutes(-1)), BatchApi.Change("k0", "kim", "added", t.AddMinutes(1))]);
        await BatchApi.WaitUntilFinished(api, orgId, late.GetProperty("batchId").GetString()!);

        var details = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlements");
        Assert.Equal(1, details.GetProperty("countedParticipants").GetInt32());
    }

    [Fact]
    public async Task MalformedBatch_IsRefusedWhole_WithRowNumbers_AndStoresNothing()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 10);
        var before = await app.Fingerprint();
        var batches = await app.WithDb(db => db.ParticipantBatches.CountAsync());
        var t = DateTime.UtcNow;

        var problem = await BatchApi.Submit(api, orgId, eventId,
        [
            BatchApi.Change("a", "p1", "added", t),
            BatchApi.Change("b", "p2", "joined", t),
            BatchApi.Change("c", "p3", "added", t),
            new { changeId = "d", participantRef = "", type = "added", occurredAt = "yesterday" },
            BatchApi.Change("a", "p5", "added", t),
        ], HttpStatusCode.UnprocessableEntity);

        Assert.Equal("validation", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Equal(["changes[2]", "changes[4]", "changes[5]"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(2, errors.GetProperty("changes[4]").GetArrayLength());
        Assert.Contains("2, 4, 5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
        Assert.Equal(batches, await app.WithDb(db => db.ParticipantBatches.CountAsync()));

        var tooMany = await BatchApi.Submit(api, orgId, eventId, Enumerable.Range(0, 10_001).Select(i => BatchApi.Change("x" + i, "p", "added", t)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("batch-too-large", tooMany.GetProperty("code").GetString());

        var notJson = await api.PostAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new StringContent("{\"changes\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notJson.StatusCode);
        Assert.Equal(batches, await app.WithDb(db => db.ParticipantBatches.CountAsync()));
    }

    [Fact]
    public async Task AutoCover_CoversAddedParticipants_NeverBeyondThePool()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 3_000, autoCover: true);
        var t = DateTime.UtcNow;
        var batch = await BatchApi.Submit(api, orgId, eventId, Enumerable.Range(1, 5_000).Select(i => BatchApi.Change("a" + i, "p" + i, "added", t.AddMilliseconds(i))));
        var status = await BatchApi.WaitUntilFinished(api, orgId, batch.GetProperty("batchId").GetString()!);
        Assert.Equal("done", status.GetProperty("status").GetString());

        await app.WithDb(async db =>
        {
            var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription);
            Assert.Equal((3_000L, 0L), (pool.Transferred, pool.Available));
            var autoTransfers = await db.Ledger.AsNoTracking().Where(l => l.OrganizationId == orgId && l.Actor == "auto-cover").ToListAsync();
            Assert.Equal(3_000, autoTransfers.Sum(l => l.Quantity));
            Assert.All(autoTransfers, l => Assert.True(l.BalanceAfter >= 0));
            var sub = await db.EventProducts.AsNoTracking().SingleAsync(p => p.EventId == eventId && p.ProductCode == ProductCodes.Subscription);
            Assert.Equal((5_000L, 3_000L), (sub.Required, sub.Allocated));
            return 0;
        });
    }

    [Fact]
    public async Task BatchThatCannotBeApplied_EndsFailed_WithTheReason_OnTheApiAndThePage()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 5);
        var batchId = Guid.NewGuid().ToString("N");
        await app.WithDb(async db =>
        {
            db.ParticipantBatches.Add(new ParticipantBatch
            {
                Id = batchId, OrganizationId = orgId, EventId = eventId, Received = 1, Source = "test",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            db.ParticipantBatchChanges.Add(new ParticipantBatchChanges { BatchId = batchId, Changes = "{ not json"u8.ToArray() });
            return await db.SaveChangesAsync();
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.With<ProcessParticipantBatch, int>(async j => { await j.Handle(batchId, CancellationToken.None); return 0; }));

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}");
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("cannot be read", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        Assert.Contains("cannot be read", await pages.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}"), StringComparison.Ordinal);

        // Running it again (a retry, a requeue) leaves it failed and changes nothing.
        await app.With<ProcessParticipantBatch, int>(async j => { await j.Handle(batchId, CancellationToken.None); return 0; });
        Assert.Equal("failed", (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}")).GetProperty("status").GetString());
    }
}
