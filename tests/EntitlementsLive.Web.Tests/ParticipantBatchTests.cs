using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Jobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

[Collection(AppCollection.Name)]
public class ParticipantBatchTests(AppFactory app)
{
    private static object Change(string id, string participant, string type, DateTime at) =>
        new { changeId = id, participantRef = participant, type, occurredAt = at.ToString("O") };

    private async Task<(HttpClient Api, int OrgId, int EventId)> AdminOf(long subscriptions, bool autoCover = false)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions);
        if (autoCover)
        {
            await app.WithDb(async db =>
            {
                var org = await db.Organizations.SingleAsync(o => o.Id == orgId);
                org.SetAutoCover(true);
                return await db.SaveChangesAsync();
            });
        }

        return (await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId))), orgId, eventId);
    }

    private static async Task<JsonElement> Submit(HttpClient api, int orgId, int eventId, IEnumerable<object> changes, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new { changes });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {body}");
        return body;
    }

    public static async Task<JsonElement> WaitUntilFinished(HttpClient api, int orgId, string batchId)
    {
        for (var i = 0; i < 300; i++)
        {
            var status = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}");
            if (status.GetProperty("status").GetString() is "done" or "failed")
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The batch did not finish in 30 s.");
    }

    [Fact]
    public async Task SameBatchTwice_ChangesNothingTheSecondTime()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 10);
        var t = DateTime.UtcNow;
        var changes = Enumerable.Range(1, 20).Select(i => Change("c" + i, "p" + i, "added", t)).ToList();

        var first = await WaitUntilFinished(api, orgId, (await Submit(api, orgId, eventId, changes)).GetProperty("batchId").GetString()!);
        var fingerprint = await app.Fingerprint();
        var second = await WaitUntilFinished(api, orgId, (await Submit(api, orgId, eventId, changes)).GetProperty("batchId").GetString()!);

        Assert.Equal(("done", 20, 20, 0), (first.GetProperty("status").GetString(), first.GetProperty("received").GetInt32(), first.GetProperty("applied").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal(("done", 20, 0, 20), (second.GetProperty("status").GetString(), second.GetProperty("received").GetInt32(), second.GetProperty("applied").GetInt32(), second.GetProperty("duplicates").GetInt32()));
        Assert.Equal(fingerprint, await app.Fingerprint());
        Assert.Equal(20, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
    }

    [Fact]
    public async Task CancelThatArrivesBeforeItsAdd_IsOrderedByOccurredAt()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 10);
        var t = DateTime.UtcNow;
        var batch = await Submit(api, orgId, eventId, [Change("k2", "kim", "cancelled", t.AddMinutes(5)), Change("k1", "kim", "added", t), Change("l1", "lee", "added", t)]);
        await WaitUntilFinished(api, orgId, batch.GetProperty("batchId").GetString()!);

        // And across batches: an add older than the cancel already applied changes nothing.
        var late = await Submit(api, orgId, eventId, [Change("l0", "lee", "cancelled", t.AddMinutes(-1)), Change("k0", "kim", "added", t.AddMinutes(1))]);
        await WaitUntilFinished(api, orgId, late.GetProperty("batchId").GetString()!);

        var details = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlements");
        Assert.Equal(1, details.GetProperty("countedParticipants").GetInt32());
    }

    [Fact]
    public async Task MalformedBatch_IsRefusedWhole_WithRowNumbers_AndStoresNothing()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 10);
        var before = await app.Fingerprint();
        var batches = await app.WithDb(db => db.ParticipantBatches.CountAsync());
        var t = DateTime.UtcNow;

        var problem = await Submit(api, orgId, eventId,
        [
            Change("a", "p1", "added", t),
            Change("b", "p2", "joined", t),
            Change("c", "p3", "added", t),
            new { changeId = "d", participantRef = "", type = "added", occurredAt = "yesterday" },
            Change("a", "p5", "added", t),
        ], HttpStatusCode.UnprocessableEntity);

        Assert.Equal("validation", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Equal(["changes[2]", "changes[4]", "changes[5]"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(2, errors.GetProperty("changes[4]").GetArrayLength());
        Assert.Contains("2, 4, 5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Fingerprint());
        Assert.Equal(batches, await app.WithDb(db => db.ParticipantBatches.CountAsync()));

        var tooMany = await Submit(api, orgId, eventId, Enumerable.Range(0, 10_001).Select(i => Change("x" + i, "p", "added", t)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("batch-too-large", tooMany.GetProperty("code").GetString());

        var notJson = await api.PostAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new StringContent("{\"changes\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notJson.StatusCode);
        Assert.Equal(batches, await app.WithDb(db => db.ParticipantBatches.CountAsync()));
    }

    [Fact]
    public async Task AutoCover_CoversAddedParticipants_NeverBeyondThePool()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 3_000, autoCover: true);
        var t = DateTime.UtcNow;
        var batch = await Submit(api, orgId, eventId, Enumerable.Range(1, 5_000).Select(i => Change("a" + i, "p" + i, "added", t.AddMilliseconds(i))));
        var status = await WaitUntilFinished(api, orgId, batch.GetProperty("batchId").GetString()!);
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
    public async Task IntegrationKey_MaySendChanges_ForItsOrganizationOnly_UntilRevoked()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 5);
        var created = await (await api.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "Registration system" })).Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("secret").GetString()!;
        var keyId = created.GetProperty("key").GetProperty("id").GetInt32();
        Assert.DoesNotContain(secret, await app.WithDb(db => db.IntegrationKeys.Select(k => k.SecretHash).SingleAsync(k => true)), StringComparison.Ordinal);

        using var machine = app.CreateClient();
        machine.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var accepted = await Submit(machine, orgId, eventId, [Change("m1", "p1", "added", DateTime.UtcNow)]);
        Assert.Equal("done", (await WaitUntilFinished(machine, orgId, accepted.GetProperty("batchId").GetString()!)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await machine.GetAsync($"/api/orgs/{orgId}/pools")).StatusCode);
        var acme = await app.OrgId("Acme Events");
        var summit = await app.EventNamed("Acme Summit 2026");
        Assert.Equal(HttpStatusCode.NotFound, (await machine.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit.Id}/participant-changes", new { changes = new[] { Change("z", "z", "added", DateTime.UtcNow) } })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/orgs/{orgId}/integration-keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await machine.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new { changes = new[] { Change("m2", "p2", "added", DateTime.UtcNow) } })).StatusCode);
    }

    [Theory]
    [InlineData(null, 302)]
    [InlineData("admin@acme.test", 403)]
    [InlineData("team@acme.test", 403)]
    [InlineData("ops@platform.test", 200)]
    public async Task HangfireDashboard_IsForOpsOnly(string? user, int expected)
    {
        using var client = await app.PagesAs(user);
        var response = await client.GetAsync("/hangfire");
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 302)
        {
            Assert.StartsWith("/Account/Login", response.Headers.Location?.PathAndQuery ?? response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BatchThatCannotBeApplied_EndsFailed_WithTheReason_OnTheApiAndThePage()
    {
        var (api, orgId, eventId) = await AdminOf(subscriptions: 5);
        var batchId = Guid.NewGuid().ToString("N");
        await app.WithDb(async db =>
        {
            db.ParticipantBatches.Add(new ParticipantBatch
            {
                Id = batchId, OrganizationId = orgId, EventId = eventId, Received = 1, Changes = "{ not json", Source = "test",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.With<ParticipantBatchJob, int>(async j => { await j.Run(batchId, CancellationToken.None); return 0; }));

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}");
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("cannot be read", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        Assert.Contains("cannot be read", await pages.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}"), StringComparison.Ordinal);

        // Running it again (a retry, a requeue) leaves it failed and changes nothing.
        await app.With<ParticipantBatchJob, int>(async j => { await j.Run(batchId, CancellationToken.None); return 0; });
        Assert.Equal("failed", (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reconcile_RepairsACounterCorruptedOnPurpose()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 7);
        await app.WithDb(db => db.Database.ExecuteSqlRawAsync("UPDATE Events SET CountedParticipants = 999 WHERE Id = {0}", eventId));

        var repaired = await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters());

        Assert.True(repaired >= 1);
        var e = await app.WithDb(db => db.Events.AsNoTracking().Include(x => x.Products).SingleAsync(x => x.Id == eventId));
        Assert.Equal(7, e.CountedParticipants);
        Assert.Equal(7, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
        Assert.True(e.IsMissing);
        Assert.Equal(0, await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters()));
    }

    [Fact]
    public async Task EndedEvents_AreAnnouncedAsPast_Once()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 2, endsAt: DateTime.UtcNow.AddMinutes(-1));

        Assert.True(await app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()) >= 1);
        Assert.Equal(0, await app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()));

        var message = await app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.EventId == eventId).OrderByDescending(m => m.Sequence).FirstAsync());
        Assert.Contains("\"status\":\"past\"", message.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchAccepted_ByAProcessThatStopsBeforeItsJobRuns_IsAppliedExactlyOnceAfterARestart()
    {
        var database = Path.Combine(Path.GetTempPath(), "entitlementslive-tests", Guid.NewGuid().ToString("N"), "restart.db");
        string batchId;
        int orgId, eventId;
        await using (var stopped = new RestartableApp(database, jobServer: false))
        {
            orgId = await stopped.OrgId("Acme Events");
            eventId = (await stopped.EventNamed("Acme Partner Day")).Id;
            using var api = await stopped.ApiAs("admin@acme.test");
            var batch = await Submit(api, orgId, eventId, Enumerable.Range(1, 50).Select(i => Change("r" + i, "restart-" + i, "added", DateTime.UtcNow)));
            batchId = batch.GetProperty("batchId").GetString()!;
            await Task.Delay(300);
            Assert.Equal("accepted", (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}")).GetProperty("status").GetString());
        }

        await using var restarted = new RestartableApp(database, jobServer: true);
        using var api2 = await restarted.ApiAs("admin@acme.test");
        var status = await WaitUntilFinished(api2, orgId, batchId);
        Assert.Equal(("done", 50, 0), (status.GetProperty("status").GetString(), status.GetProperty("applied").GetInt32(), status.GetProperty("duplicates").GetInt32()));

        // Requeuing again (the recurring job, or a second restart) applies nothing twice.
        await restarted.With<MaintenanceJobs, int>(j => j.RequeueOrphans());
        Assert.Equal(50, await restarted.WithDb(db => db.Participants.CountAsync(p => p.EventId == eventId && p.Reference.StartsWith("restart-"))));
        Assert.Equal(25 + 50, await restarted.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
    }

    private sealed class RestartableApp(string database, bool jobServer) : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Database:Path"] = database,
            ["Jobs:Server"] = jobServer ? "true" : "false",
            ["Jobs:Recurring"] = "false",
        };
    }
}
