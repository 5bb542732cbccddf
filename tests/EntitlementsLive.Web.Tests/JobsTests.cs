using EntitlementsLive.Web.Features.Events;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using EntitlementsLive.Web.Data;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Transfers;
using EntitlementsLive.Web.Jobs;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Background jobs: shells around feature handlers, safe to run twice, behind the Ops policy.</summary>
[Collection(AppCollection.Name)]
public class JobsTests(AppFactory app)
{
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
    public async Task Reconcile_RepairsACounterCorruptedOnPurpose()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 7);
        await app.WithDb(db => db.Database.ExecuteSqlRawAsync("""UPDATE "Events" SET "CountedParticipants" = 999 WHERE "Id" = {0}""", eventId));

        var repaired = await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters());

        Assert.True(repaired >= 1);
        var e = await app.WithDb(db => db.Events.AsNoTracking().Include(x => x.Products).SingleAsync(x => x.Id == eventId));
        Assert.Equal(7, e.CountedParticipants);
        Assert.Equal(7, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
        Assert.True(e.IsMissing);
        Assert.Equal(0, await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters()));
    }

    [Fact]
    public async Task Reconcile_ThatTurnsAnEventBack_UpdatesTheOrganizationsMissingCount()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.Subscription, 4, "cover"), "test", CancellationToken.None));
        await app.WithDb(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""UPDATE "Events" SET "CountedParticipants" = 9, "IsMissing" = TRUE WHERE "Id" = {0}""", eventId);
            return await db.Database.ExecuteSqlRawAsync("""UPDATE "EventProducts" SET "Required" = 9 WHERE "EventId" = {0}""", eventId);
        });
        var before = await app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());

        await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters());

        var messages = await app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.Sequence > before).Select(m => m.Type).ToListAsync());
        Assert.Contains("MissingEntitlementsChanged", messages);
        Assert.False(await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.IsMissing).SingleAsync()));
    }

    [Fact]
    public async Task EndedEvents_AreAnnouncedAsPast_Once()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 2, endsAt: DateTime.UtcNow.AddMinutes(-1));

        // Announced by this call or by the app's own minutely job just before it; the message below proves it was.
        await app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents());
        Assert.Equal(0, await app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()));

        var message = await app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.EventId == eventId).OrderByDescending(m => m.Sequence).FirstAsync());
        Assert.Contains("\"status\":\"past\"", message.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchAccepted_ByAProcessThatStopsBeforeItsJobRuns_IsAppliedExactlyOnceAfterARestart()
    {
        var database = TestDatabase.New("restart.db");
        string batchId;
        int orgId, eventId;
        await using (var stopped = new RestartableApp(database, jobServer: false))
        {
            orgId = await stopped.OrgId("Acme Events");
            eventId = (await stopped.EventNamed("Acme Partner Day")).Id;
            using var api = await stopped.ApiAs("admin@acme.test");
            var batch = await BatchApi.Submit(api, orgId, eventId, Enumerable.Range(1, 50).Select(i => BatchApi.Change("r" + i, "restart-" + i, "added", DateTime.UtcNow)));
            batchId = batch.GetProperty("batchId").GetString()!;

            // No job server runs in this process: the batch stays accepted, stored, until the restart.
            Assert.Equal("accepted", (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}")).GetProperty("status").GetString());
        }

        await using var restarted = new RestartableApp(database, jobServer: true);
        using var api2 = await restarted.ApiAs("admin@acme.test");
        var status = await BatchApi.WaitUntilFinished(api2, orgId, batchId);
        Assert.Equal(("done", 50, 0), (status.GetProperty("status").GetString(), status.GetProperty("applied").GetInt32(), status.GetProperty("duplicates").GetInt32()));

        // Requeuing again (the recurring job, or a second restart) applies nothing twice.
        await restarted.With<MaintenanceJobs, int>(j => j.RequeueOrphans());
        Assert.Equal(50, await restarted.WithDb(db => db.Participants.CountAsync(p => p.EventId == eventId && p.Reference.StartsWith("restart-"))));
        Assert.Equal(25 + 50, await restarted.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
    }

    private sealed class RestartableApp(string database, bool jobServer) : AppFactory(database)
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Jobs:Server"] = jobServer ? "true" : "false",
            ["Jobs:Recurring"] = "false",
        };
    }
}

/// <summary>Jobs whose outcome depends on time, on a clock the test moves (no waiting, no wall clock).</summary>
[Collection(AppCollection.Name)]
public sealed class ClockedJobsTests : IDisposable
{
    private readonly ClockedApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Event_TurnsPast_ExactlyWhenItEnds_AndIsAnnouncedOnce()
    {
        var endsAt = _app.Clock.GetUtcNow().UtcDateTime.AddHours(1);
        var (orgId, eventId) = await _app.NewOrganization(subscriptions: 10, participants: 2, endsAt: endsAt);
        Task<EventStatus> Status() => _app.With<EventQueries, EventStatus>(async q => (await q.Coverage(orgId, eventId, CancellationToken.None)).Status);

        await _app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()); // the demo data's past events

        _app.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await _app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()));
        Assert.Equal(EventStatus.Live, await Status());

        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(EventStatus.Past, await Status());
        Assert.Equal(1, await _app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()));
        Assert.Equal(0, await _app.With<MaintenanceJobs, int>(j => j.AnnouncePastEvents()));
        var message = await _app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.EventId == eventId).OrderByDescending(m => m.Sequence).FirstAsync());
        Assert.Contains("\"status\":\"past\"", message.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutboxPrune_DeletesOnlyPushedRowsPastTheirRetention_AndAnOlderScreenReloads()
    {
        var (orgId, eventId) = await _app.NewOrganization(subscriptions: 10);
        await using var client = await LiveClient.Connect(_app, await _app.NewUser(u => Membership.Administrator(u, orgId)));
        var first = await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        var pushed = first.Transaction.Sequence + 2;
        await client.WaitFor(m => m.Sequence == pushed);
        await _app.WithDb(async db =>
        {
            // The notifier's saved position (it saves on its own clock): at least up to what was just pushed.
            if (await db.OutboxCursors.Where(c => c.OrganizationId == orgId).ExecuteUpdateAsync(u => u.SetProperty(c => c.Sequence, c => c.Sequence > pushed ? c.Sequence : pushed)) == 0)
            {
                db.OutboxCursors.Add(new OutboxCursor { OrganizationId = orgId, Sequence = pushed });
            }

            return await db.SaveChangesAsync();
        });
        _app.Clock.Advance(TimeSpan.FromHours(72) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _app.With<MaintenanceJobs, int>(j => j.PruneOutbox()));

        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        var later = await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        Assert.True(await _app.With<MaintenanceJobs, int>(j => j.PruneOutbox()) >= pushed);

        var left = await _app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId).Select(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range((int)pushed + 1, left.Count).Select(i => (long)i), left.Order());
        Assert.Contains(later.Transaction.Sequence, left);

        // The first connection's token expired with the clock; a screen that opens now and resumes from the start must reload.
        await using var late = await LiveClient.Connect(_app, await _app.NewUser(u => Membership.Administrator(u, orgId)));
        Assert.True((await late.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L)).GetProperty("reloadRequired").GetBoolean());
    }

    private sealed class ClockedApp : AppFactory
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Jobs:Recurring"] = "false" };

        protected override void ReplaceServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }
}
