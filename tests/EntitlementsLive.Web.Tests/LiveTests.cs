using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>Live pushes: the right messages to the right people, in order, resumable.</summary>
[Collection(AppCollection.Name)]
public class LiveTests(AppFactory app)
{
    [Fact]
    public async Task EachMessageType_ArrivesAfterItsChange_ToTheRightPeopleOnly()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        var otherEvent = await app.NewOrganizationEvent(orgId);
        var (otherOrg, otherOrgEvent) = await app.NewOrganization(subscriptions: 3);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));
        await using var team = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        await using var otherTeam = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, otherEvent)));
        await using var otherAdmin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, otherOrg), u => Membership.Team(u, otherOrg, otherOrgEvent)));

        var result = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 4);
        
        var tx = await admin.WaitFor("TransactionRecorded");
        Assert.Equal(result.Transaction.Id, tx.Payload.GetProperty("transaction").GetProperty("id").GetInt64());
        Assert.Equal(result.Transaction.Sequence, tx.Sequence);
        var pool = await admin.WaitFor("PoolBalanceChanged");
        Assert.Equal(("SUBSCRIPTION", 10, 4, 6), (pool.Payload.GetProperty("productCode").GetString(), pool.Payload.GetProperty("purchased").GetInt64(),
            pool.Payload.GetProperty("transferred").GetInt64(), pool.Payload.GetProperty("available").GetInt64()));
        var coverage = await admin.WaitFor("EventCoverageChanged");
        Assert.Equal(eventId, coverage.Payload.GetProperty("eventId").GetInt32());
        Assert.False(coverage.Payload.GetProperty("missing").GetBoolean());
        Assert.Equal(4, coverage.Payload.GetProperty("countedParticipants").GetInt32());
        var missing = await admin.WaitFor("MissingEntitlementsChanged");
        Assert.Equal(0, missing.Payload.GetProperty("liveEventsMissing").GetInt32());
        Assert.True(tx.Sequence < pool.Sequence && pool.Sequence < coverage.Sequence && coverage.Sequence < missing.Sequence);

        var teamCoverage = await team.WaitFor("EventCoverageChanged");
        Assert.Equal(coverage.Sequence, teamCoverage.Sequence);

        // Whatever the outsiders call, they learn nothing of this organization.
        var replayOther = await otherAdmin.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        var replayTeam = await otherTeam.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.Equal(0, replayOther.GetProperty("replayed").GetInt32());
        Assert.Equal(0, replayTeam.GetProperty("replayed").GetInt32());
        await Assert.ThrowsAnyAsync<Exception>(() => otherAdmin.Connection.InvokeAsync("JoinGroup", FormattableString.Invariant($"org:{orgId}:admins")));

        // Sentinels, sent after everything above was pushed: each outsider's own next message.
        var sentinel = await app.Purchase(otherOrg, ProductCodes.Subscription, 1);
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, otherEvent,
            [new("sentinel-other", "p-other", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("sentinel-own", "p-own", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        Assert.DoesNotContain(await otherAdmin.Before(m => m.OrgId == otherOrg && m.Sequence == sentinel.Transaction.Sequence), m => m.OrgId == orgId);
        Assert.Empty(await otherTeam.Before(m => m.Type == "EventCoverageChanged" && m.Payload.GetProperty("eventId").GetInt32() == otherEvent));
        Assert.All(await team.Before(m => m.Type == "EventCoverageChanged" && m.Payload.GetProperty("countedParticipants").GetInt32() == 5),
            m => Assert.Equal("EventCoverageChanged", m.Type));
        Assert.DoesNotContain(team.Received, m => m.Payload.TryGetProperty("eventId", out var id) && id.GetInt32() == otherEvent);
    }

    [Fact]
    public async Task EveryPush_NamesThePushBeforeIt_ToTheSameScreens_SoALostOneShows()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));
        await using var team = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, eventId)));

        long last = 0;
        for (var i = 0; i < 3; i++)
        {
            last = (await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1)).Transaction.Sequence;
            await admin.WaitFor("TransactionRecorded", p => p.GetProperty("sequence").GetInt64() == last);
        }

        await admin.WaitFor("PoolBalanceChanged", p => p.GetProperty("sequence").GetInt64() > last);
        await team.WaitFor("EventCoverageChanged", p => p.GetProperty("sequence").GetInt64() > last);

        // The managers' chain runs through every message they get; the team's through its event's coverage. A screen
        // that holds less than "previous" knows it missed one (live.js and scripts/watch then resume).
        AssertChain(admin.Received);
        AssertChain(team.Received);
        Assert.True(team.Received.Count >= 3);

        static void AssertChain(List<LiveMessage> received)
        {
            var first = received[0].Payload.GetProperty("previous");
            Assert.True(first.ValueKind == JsonValueKind.Null || first.GetInt64() < received[0].Sequence);
            for (var i = 1; i < received.Count; i++)
            {
                Assert.Equal(received[i - 1].Sequence, received[i].Payload.GetProperty("previous").GetInt64());
            }
        }
    }

    [Fact]
    public async Task ParticipantChanges_PushCoverage_WithTheNewCounts()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await using var team = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, eventId)));

        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("c1", "p1", ParticipantChangeType.Added, DateTime.UtcNow), new("c2", "p1", ParticipantChangeType.Activated, DateTime.UtcNow)], CancellationToken.None));

        var coverage = await team.WaitFor("EventCoverageChanged", p => p.GetProperty("countedParticipants").GetInt32() == 1);
        Assert.True(coverage.Payload.GetProperty("missing").GetBoolean());
        Assert.Equal(1, coverage.Payload.GetProperty("activatedParticipants").GetInt32());
    }

    [Fact]
    public async Task ClientThatMissedMessages_GetsThemAllThroughResume_InOrder_WithoutDuplicates()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100, participants: 30);
        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        long last;
        await using (var first = await LiveClient.Connect(app, email))
        {
            await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
            last = (await first.WaitFor("TransactionRecorded")).Sequence;
            await first.WaitFor(m => m.Type == "EventCoverageChanged" && m.Sequence > last);
        }

        var missed = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            missed.Add((await app.Transfer(orgId, eventId, ProductCodes.Subscription, 2)).Transaction.Id);
        }

        await using var again = await LiveClient.Connect(app, email);
        var before = await app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
        var answer = await again.Connection.InvokeAsync<JsonElement>("Resume", orgId, last);
        Assert.False(answer.GetProperty("reloadRequired").GetBoolean());
        // The organization's position when Resume read it (a background job of the shared app may commit right after).
        var lastSequence = await app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
        Assert.InRange(answer.GetProperty("lastSequence").GetInt64(), before, lastSequence);

        var available = await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());

        // The sentinel: a change committed after the resume answered, pushed live behind everything replayed.
        var after = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        var received = await again.Before(m => m.Sequence == after.Transaction.Sequence);

        var transactions = received.Where(m => m.Type == "TransactionRecorded").ToList();
        Assert.Equal(missed, transactions.Select(m => m.Payload.GetProperty("transaction").GetProperty("id").GetInt64()));
        Assert.Equal(received.Select(m => m.Sequence).Order(), received.Select(m => m.Sequence));
        Assert.Equal(received.Count, received.Select(m => m.Sequence).Distinct().Count());
        Assert.All(received, m => Assert.True(m.Sequence > last));

        // The newest figures the client holds equal the database's.
        var pool = received.Last(m => m.Type == "PoolBalanceChanged");
        Assert.Equal(available, pool.Payload.GetProperty("available").GetInt64());
        var coverage = received.Last(m => m.Type == "EventCoverageChanged");
        Assert.Equal(13, coverage.Payload.GetProperty("products")[0].GetProperty("allocated").GetInt64());
    }

    [Fact]
    public async Task Resume_FromPrunedHistory_AsksForAReload()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        await app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.Sequence <= 3).ExecuteDeleteAsync());
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));

        var answer = await admin.Connection.InvokeAsync<JsonElement>("Resume", orgId, 1L);

        Assert.True(answer.GetProperty("reloadRequired").GetBoolean());
    }

    [Fact]
    public async Task UncommittedOrRolledBackChanges_PushNothing()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 2);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));

        // A refused transfer.
        await Assert.ThrowsAsync<DomainException>(() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 3));

        // A change whose transaction writes outbox rows and then rolls back; the notifier drains meanwhile.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            // Written by hand, as no app code may: the unit of work never leaves uncommitted rows this visible for this long.
            await db.Database.ExecuteSqlRawAsync("""UPDATE "Organizations" SET "LastSequence" = "LastSequence" + 1 WHERE "Id" = {0}""", orgId);
            var sequence = await db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync();
            db.Outbox.Add(OutboxWriter.Message(orgId, sequence, "PoolBalanceChanged", "pool:SUBSCRIPTION", null,
                new PoolBalanceChangedMessage(orgId, sequence, "SUBSCRIPTION", "Subscription", ProductKind.Subscription, 999, 0, 999), DateTime.UtcNow));
            await db.SaveChangesAsync();
            var notifier = app.Services.GetRequiredService<OutboxNotifier>();
            notifier.Committed(orgId);
            // Gives the notifier time to try reading the uncommitted rows; their absence is proven by the sentinel below.
            await Task.Delay(300);
            await tx.RollbackAsync();
        }

        app.Services.GetRequiredService<OutboxNotifier>().Committed(orgId);

        // The next committed change is the sentinel: nothing arrived before it, and it is numbered right after the last committed one.
        var result = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        Assert.Empty(await admin.Before(m => m.Type == "TransactionRecorded"));
        var tx2 = await admin.WaitFor("TransactionRecorded");
        Assert.Equal(result.Transaction.Sequence, tx2.Sequence);
        Assert.DoesNotContain(admin.Received, m => m.Type == "PoolBalanceChanged" && m.Payload.GetProperty("available").GetInt64() == 999);
    }

    [Fact]
    public async Task RemovedMembership_StopsPushes_OnTheOpenConnection()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 1);
        var secondEvent = await app.NewOrganizationEvent(orgId);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        await using var admin = await LiveClient.Connect(app, adminEmail);
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId), u => Membership.Team(u, orgId, secondEvent));
        await using var team = await LiveClient.Connect(app, teamEmail);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        await team.WaitFor("EventCoverageChanged");

        using var api = await app.ApiAs(adminEmail);
        await AppFactory.RemoveTeamMembership(api, orgId, teamEmail, eventId);
        var seen = team.Received.Count;

        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("r1", "p-new", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        await admin.WaitFor("EventCoverageChanged", p => p.GetProperty("countedParticipants").GetInt32() == 2);

        // The sentinel: a change to the event the user still belongs to, pushed after the one they may no longer see.
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, secondEvent,
            [new("r2", "p-second", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        var before = await team.Before(m => m.Type == "EventCoverageChanged" && m.Payload.GetProperty("eventId").GetInt32() == secondEvent);
        Assert.Equal(seen, before.Count);
        var replay = await team.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.All(team.Received.Skip(seen), m => Assert.Equal(secondEvent, m.Payload.GetProperty("eventId").GetInt32()));
        Assert.True(replay.GetProperty("replayed").GetInt32() >= 1);
    }

    [Fact]
    public async Task Hub_RefusesAnonymousCallers_AndForeignOrigins()
    {
        using var client = app.CreateClient();
        var anonymous = await client.PostAsync("/hubs/entitlements/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var admin = await app.ApiAs("admin@acme.test");
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/hubs/entitlements/negotiate?negotiateVersion=1");
        foreign.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(foreign)).StatusCode);

        using var own = new HttpRequestMessage(HttpMethod.Post, "/hubs/entitlements/negotiate?negotiateVersion=1");
        own.Headers.Add("Origin", app.Server.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task AdminOfAnOrganizationWithoutEntitlements_ReceivesNothingLive()
    {
        var initech = await app.OrgId("Initech Meetups");
        var acme = await app.OrgId("Acme Events");
        Assert.True(await app.WithDb(db => db.Outbox.AnyAsync(m => m.OrganizationId == initech)));
        await using var client = await LiveClient.Connect(app, "admin@initech.test");

        var replay = await client.Connection.InvokeAsync<JsonElement>("Resume", initech, 0L);

        Assert.Equal(0, replay.GetProperty("replayed").GetInt32());

        // Pushes are addressed from the same decision: nobody, for an organization without entitlements.
        var nobody = await app.WithDb(db => LiveAudience.LoadAsync(db, initech, CancellationToken.None));
        var acmeAudience = await app.WithDb(db => LiveAudience.LoadAsync(db, acme, CancellationToken.None));
        Assert.Empty(nobody.Managers);
        Assert.Empty(nobody.Teams);
        Assert.NotEmpty(acmeAudience.Managers);
        Assert.NotEmpty(acmeAudience.Teams);
    }
}


/// <summary>A live connection does not outlive the token it was opened with.</summary>
[Collection(AppCollection.Name)]
public class LiveAuthenticationExpiryTests
{
    [Fact]
    public async Task Connection_IsClosed_WhenItsTokenExpires()
    {
        await using var app = new ShortTokens();
        await using var client = await LiveClient.Connect(app, "admin@acme.test");
        var closed = new TaskCompletionSource();
        client.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        var finished = await Task.WhenAny(closed.Task, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(closed.Task, finished);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected, client.Connection.State);
    }

    private sealed class ShortTokens : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Auth:BearerTokenSeconds"] = "2", ["Jobs:Recurring"] = "false" };
    }
}
