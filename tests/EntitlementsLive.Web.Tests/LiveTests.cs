using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using EntitlementsLive.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

[Collection(AppCollection.Name)]
public class LiveTests(AppFactory app)
{
    private Task<TransferResult> Transfer(int orgId, int eventId, string product, int? quantity) =>
        app.With<TransferToEvent, TransferResult>(h => h.Handle(orgId, eventId, new(product, quantity, Guid.NewGuid().ToString()), "live-test", CancellationToken.None));

    private async Task<int> SecondEvent(int orgId) => await app.WithDb(async db =>
    {
        var e = new Event(orgId, "Second", DateTime.UtcNow, DateTime.UtcNow.AddDays(2));
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e.Id;
    });

    [Fact]
    public async Task EachMessageType_ArrivesAfterItsChange_ToTheRightPeopleOnly()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        var otherEvent = await SecondEvent(orgId);
        var (otherOrg, otherOrgEvent) = await app.NewOrganization(subscriptions: 3);
        await using var admin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, orgId)));
        await using var team = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        await using var otherTeam = await LiveClient.Connect(app, await app.NewUser(u => Membership.Team(u, orgId, otherEvent)));
        await using var otherAdmin = await LiveClient.Connect(app, await app.NewUser(u => Membership.Administrator(u, otherOrg), u => Membership.Team(u, otherOrg, otherOrgEvent)));

        var result = await Transfer(orgId, eventId, ProductCodes.Subscription, 4);

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
        Assert.Empty(await otherAdmin.Drain());
        Assert.Empty(await otherTeam.Drain());
        Assert.All(await team.Drain(), m => Assert.Equal("EventCoverageChanged", m.Type));
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
            await Transfer(orgId, eventId, ProductCodes.Subscription, 1);
            last = (await first.WaitFor("TransactionRecorded")).Sequence;
            await first.WaitFor(m => m.Type == "EventCoverageChanged" && m.Sequence > last);
        }

        var missed = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            missed.Add((await Transfer(orgId, eventId, ProductCodes.Subscription, 2)).Transaction.Id);
        }

        await using var again = await LiveClient.Connect(app, email);
        var answer = await again.Connection.InvokeAsync<JsonElement>("Resume", orgId, last);
        Assert.False(answer.GetProperty("reloadRequired").GetBoolean());
        var received = await again.Drain();

        var transactions = received.Where(m => m.Type == "TransactionRecorded").ToList();
        Assert.Equal(missed, transactions.Select(m => m.Payload.GetProperty("transaction").GetProperty("id").GetInt64()));
        Assert.Equal(received.Select(m => m.Sequence).Order(), received.Select(m => m.Sequence));
        Assert.Equal(received.Count, received.Select(m => m.Sequence).Distinct().Count());
        Assert.All(received, m => Assert.True(m.Sequence > last));

        // The newest figures the client holds equal the database's.
        var pool = received.Last(m => m.Type == "PoolBalanceChanged");
        var available = await app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());
        Assert.Equal(available, pool.Payload.GetProperty("available").GetInt64());
        var coverage = received.Last(m => m.Type == "EventCoverageChanged");
        Assert.Equal(13, coverage.Payload.GetProperty("products")[0].GetProperty("allocated").GetInt64());
        var lastSequence = await app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
        Assert.Equal(lastSequence, answer.GetProperty("lastSequence").GetInt64());
    }

    [Fact]
    public async Task Resume_FromPrunedHistory_AsksForAReload()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await Transfer(orgId, eventId, ProductCodes.Subscription, 1);
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
        await Assert.ThrowsAsync<DomainException>(() => Transfer(orgId, eventId, ProductCodes.Subscription, 3));

        // A change whose transaction writes outbox rows and then rolls back; the notifier drains meanwhile.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var sequence = await OutboxWriter.ReserveAsync(db, orgId, 1, CancellationToken.None);
            db.Outbox.Add(OutboxWriter.Message(orgId, sequence, "PoolBalanceChanged", "pool:SUBSCRIPTION", null,
                new PoolBalanceChangedMessage(orgId, sequence, "SUBSCRIPTION", "Subscription", ProductKind.Subscription, 999, 0, 999), DateTime.UtcNow));
            await db.SaveChangesAsync();
            var notifier = app.Services.GetRequiredService<OutboxNotifier>();
            notifier.Committed(orgId);
            await Task.Delay(300);
            await tx.RollbackAsync();
        }

        app.Services.GetRequiredService<OutboxNotifier>().Committed(orgId);
        Assert.Empty(await admin.Drain(800));

        // The next committed change is pushed, numbered right after the last committed one.
        var result = await Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        var tx2 = await admin.WaitFor("TransactionRecorded");
        Assert.Equal(result.Transaction.Sequence, tx2.Sequence);
        Assert.DoesNotContain(admin.Received, m => m.Type == "PoolBalanceChanged" && m.Payload.GetProperty("available").GetInt64() == 999);
    }

    [Fact]
    public async Task RemovedMembership_StopsPushes_OnTheOpenConnection()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 1);
        var adminEmail = await app.NewUser(u => Membership.Administrator(u, orgId));
        await using var admin = await LiveClient.Connect(app, adminEmail);
        var teamEmail = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        await using var team = await LiveClient.Connect(app, teamEmail);
        await Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        await team.WaitFor("EventCoverageChanged");

        using var api = await app.ApiAs(adminEmail);
        var members = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/memberships");
        var teamMembership = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == teamEmail).GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/orgs/{orgId}/memberships/{teamMembership}")).StatusCode);
        var seen = team.Received.Count;

        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("r1", "p-new", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        await admin.WaitFor("EventCoverageChanged", p => p.GetProperty("countedParticipants").GetInt32() == 2);

        Assert.Equal(seen, (await team.Drain()).Count);
        var replay = await team.Connection.InvokeAsync<JsonElement>("Resume", orgId, 0L);
        Assert.Equal(0, replay.GetProperty("replayed").GetInt32());
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
