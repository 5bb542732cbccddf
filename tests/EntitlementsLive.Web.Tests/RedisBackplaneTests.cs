using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Live:Redis: a push from one node reaches a screen connected to another (two app hosts on one database and one
/// Redis, started here on loopback). The receiving node never drains on its own during the test, so the message can
/// only have come through the backplane.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RedisBackplaneTests : IDisposable
{
    private readonly string _database = TestDatabase.New("backplane.db");
    private readonly Process _redis;
    private readonly NodeApp _a;
    private readonly NodeApp _b;

    public RedisBackplaneTests()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start (scripts/test installs it).");
        WaitForPort(port);
        var redis = $"127.0.0.1:{port}";
        _a = new NodeApp(_database, "node-a", new Dictionary<string, string> { ["Live:Redis"] = redis });
        _b = new NodeApp(_database, "node-b", new Dictionary<string, string> { ["Live:Redis"] = redis, ["Live:SweepIntervalMs"] = "600000" });
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        TestDatabase.Drop(_database);
        _redis.Kill();
        _redis.WaitForExit(5_000);
        _redis.Dispose();
    }

    [Fact]
    public async Task ATransferOnNodeA_ReachesAScreenOnNodeB()
    {
        var (orgId, eventId) = await _a.NewOrganization(subscriptions: 10, participants: 3);
        var admin = await _a.NewUser(u => Membership.Administrator(u, orgId));
        _ = _b.Server; // node B starts (its start-up drain runs now, before the transfer)
        await using var screenOnB = await LiveClient.Connect(_b, admin);
        using var health = _b.CreateClient();
        var ready = await health.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var clock = Stopwatch.StartNew();
        var transfer = await _a.Transfer(orgId, eventId, ProductCodes.Subscription, 3);
        var pushed = await screenOnB.WaitFor("TransactionRecorded", m => m.GetProperty("transaction").GetProperty("id").GetInt64() == transfer.Transaction.Id);

        Assert.Equal(orgId, pushed.OrgId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}"); // generous (a loaded CI machine): typically milliseconds
    }

    [Fact]
    public async Task ARemovedMembership_StopsPushesAtOnce_OnEveryNode()
    {
        var (orgId, eventId) = await _a.NewOrganization(subscriptions: 10, participants: 1);
        var secondEvent = await _a.NewOrganizationEvent(orgId);
        var adminEmail = await _a.NewUser(u => Membership.Administrator(u, orgId));
        var teamEmail = await _a.NewUser(u => Membership.Team(u, orgId, eventId), u => Membership.Team(u, orgId, secondEvent));
        _ = _b.Server;
        await using var teamOnA = await LiveClient.Connect(_a, teamEmail);
        await using var teamOnB = await LiveClient.Connect(_b, teamEmail);
        await _a.Transfer(orgId, eventId, ProductCodes.Subscription, 1);
        await teamOnA.WaitFor("EventCoverageChanged");
        await teamOnB.WaitFor("EventCoverageChanged");

        // Removed through node B's API; every change below commits on node A, which drains it.
        using var api = await _b.ApiAs(adminEmail);
        await AppFactory.RemoveTeamMembership(api, orgId, teamEmail, eventId);
        var seenOnA = teamOnA.Received.Count;
        var seenOnB = teamOnB.Received.Count;

        await _a.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
            [new("r1", "p-new", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        // The sentinel: a change to the event the user still belongs to, pushed after the one they may no longer see.
        await _a.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, secondEvent,
            [new("r2", "p-second", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        foreach (var (screen, seen) in new[] { (teamOnA, seenOnA), (teamOnB, seenOnB) })
        {
            var before = await screen.Before(m => m.Type == "EventCoverageChanged" && m.Payload.GetProperty("eventId").GetInt32() == secondEvent);
            Assert.Equal(seen, before.Count);
            Assert.All(screen.Received.Skip(seen).Where(m => m.Payload.TryGetProperty("eventId", out _)),
                m => Assert.Equal(secondEvent, m.Payload.GetProperty("eventId").GetInt32()));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}
