using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>A message lost just before a quiet is not lost for good: the heartbeat names what was pushed, the screen resumes.</summary>
[Collection(AppCollection.Name)]
public sealed class HeartbeatTests : IDisposable
{
    private readonly HeartbeatApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ScreensThatLostTheLastMessagesBeforeAQuiet_AreToldByTheHeartbeat_AndResumeThemOnce()
    {
        var (orgId, eventId) = await _app.NewOrganization(subscriptions: 10, participants: 3);
        await using var admin = await LiveClient.Connect(_app, await _app.NewUser(u => Membership.Administrator(u, orgId)));
        await using var team = await LiveClient.Connect(_app, await _app.NewUser(u => Membership.Team(u, orgId, eventId)));
        admin.ResumesOnHeartbeat = team.ResumesOnHeartbeat = true;

        // Both screens hold the organization's stream up to a first transfer (its coverage message is its last).
        await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        var held = await _app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
        await admin.WaitFor(m => m.Sequence == held);
        await team.WaitFor(m => m.Sequence == held);

        // Everything the next transfer pushes is lost on the way to both (a backplane hiccup, say); then nothing happens.
        admin.Lose(m => m.Sequence > held);
        team.Lose(m => m.Sequence > held);
        var second = await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 1);

        // The sentinel is the lost message itself, back through the resume the heartbeat caused: no sleep, no new change.
        var transaction = await admin.WaitFor(m => m.Type == "TransactionRecorded" && m.Sequence == second.Transaction.Sequence);
        var coverage = await team.WaitFor(m => m.Type == "EventCoverageChanged" && m.Sequence > held);
        Assert.True(admin.Lost >= 3, $"the admin lost {admin.Lost} messages");
        Assert.True(team.Lost >= 1, $"the team member lost {team.Lost} messages");
        Assert.True(admin.Heartbeats > 0 && team.Heartbeats > 0);
        Assert.Equal(2, coverage.Payload.GetProperty("products")[0].GetProperty("allocated").GetInt64());

        // Resumed once: each lost message arrives once, and nothing of the team's is an admin's.
        var last = await _app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
        await admin.WaitFor(m => m.Sequence == last);
        Assert.Single(admin.Received, m => m.Type == transaction.Type && m.Sequence == transaction.Sequence);
        Assert.All(team.Received, m => Assert.Equal("EventCoverageChanged", m.Type));
    }

    private sealed class HeartbeatApp : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Live:HeartbeatSeconds"] = "1",
            ["Jobs:Recurring"] = "false",
        };
    }
}
