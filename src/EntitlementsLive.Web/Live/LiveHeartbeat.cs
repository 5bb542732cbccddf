using System.Collections.Concurrent;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// The Heartbeat of API.md, sent by the node that drains (so once for the cluster, through the backplane): each user
/// group that nothing was sent to for <see cref="LiveOptions.HeartbeatSeconds"/> gets the latest sequence pushed to
/// it of every organization it follows, by the drain's own audience rule (<see cref="LiveAudience"/>): an
/// organization's pushed position for those who manage it; for an event's team, the last team message pushed to that
/// member (the drain's own records of both, handed in). A screen that lost the last message before a quiet is told within about that time, and resumes.
/// </summary>
public sealed class LiveHeartbeat(
    IServiceScopeFactory scopes,
    IHubContext<EntitlementsHub, IEntitlementsClient> hub,
    IOptions<LiveOptions> options,
    TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSent = new(StringComparer.Ordinal);
    private DateTimeOffset _lastRound = DateTimeOffset.MinValue;

    public TimeSpan Interval => TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);

    /// <summary>How often rounds run: a group is heartbeat between one and one and a third intervals after its last message.</summary>
    public TimeSpan RoundInterval => Interval / 3;

    /// <summary>The drain pushed to these groups (an organization's managers) now.</summary>
    public void Sent(IEnumerable<string> groups)
    {
        var now = clock.GetUtcNow();
        foreach (var group in groups)
        {
            _lastSent[group] = now;
        }
    }

    /// <summary>The drain pushed to one group (a team member's) now.</summary>
    public void Sent(string group) => _lastSent[group] = clock.GetUtcNow();

    /// <summary>The lead ended: what was pushed from here says nothing of what the next holder pushes.</summary>
    public void Forget()
    {
        _lastSent.Clear();
        _lastRound = DateTimeOffset.MinValue;
    }

    /// <summary>
    /// Runs a round when one is due; <paramref name="pushed"/> is each organization's pushed position, <paramref name="teamPushed"/>
    /// each team member's last team message per organization.
    /// </summary>
    public async Task BeatAsync(IReadOnlyDictionary<int, long> pushed, IReadOnlyDictionary<(string Group, int OrganizationId), long> teamPushed, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastRound < RoundInterval)
        {
            return;
        }

        _lastRound = now;
        IReadOnlyDictionary<int, LiveAudience> audiences;
        await using (var scope = scopes.CreateAsyncScope())
        {
            audiences = await LiveAudience.LoadAllAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), ct);
        }

        var positions = new Dictionary<string, List<HeartbeatPosition>>(StringComparer.Ordinal);
        void Add(string group, int organizationId, long sequence)
        {
            if (sequence <= 0 || (_lastSent.TryGetValue(group, out var last) && now - last < Interval))
            {
                return;
            }

            if (!positions.TryGetValue(group, out var list))
            {
                positions[group] = list = [];
            }

            list.Add(new HeartbeatPosition(organizationId, sequence));
        }

        foreach (var (organizationId, audience) in audiences)
        {
            var position = pushed.GetValueOrDefault(organizationId);
            foreach (var manager in audience.Managers)
            {
                Add(manager, organizationId, position);
            }

            foreach (var member in audience.TeamMembers)
            {
                Add(member, organizationId, teamPushed.GetValueOrDefault((member, organizationId)));
            }
        }

        foreach (var (group, list) in positions)
        {
            ct.ThrowIfCancellationRequested();
            await hub.Clients.Group(group).Heartbeat(new HeartbeatMessage(list));
            _lastSent[group] = now;
        }
    }
}
