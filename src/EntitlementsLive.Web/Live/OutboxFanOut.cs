using System.Collections.Concurrent;
using EntitlementsLive.Domain;
using Microsoft.AspNetCore.SignalR;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Sends an organization's drained rows to the groups that hear them (<see cref="LiveAudience"/>), each with the
/// sequence sent before it to the same screens (<see cref="LiveMessage.Previous"/>), so a screen sees a gap as one.
/// Managers get every (coalesced) row, so their chain is the organization's pushed position; a team member's chain
/// is their own, kept here per organization, since they may be on the teams of several events.
/// </summary>
public sealed class OutboxFanOut(IHubContext<EntitlementsHub, IEntitlementsClient> hub, LiveHeartbeat heartbeat)
{
    private readonly ConcurrentDictionary<(string Group, int OrganizationId), long> _teamPushed = new();

    /// <summary>The last team message pushed to each event-team member's group, per organization (what their heartbeat names).</summary>
    public IReadOnlyDictionary<(string Group, int OrganizationId), long> TeamPushed => _teamPushed;

    /// <summary>
    /// Sends <paramref name="rows"/> (coalesced, oldest first) pushed after <paramref name="after"/>; a new drainer
    /// starts the managers' chain from the saved position, at or below what screens hold, so a re-push never looks like a gap.
    /// </summary>
    public async Task SendAsync(int organizationId, LiveAudience audience, IReadOnlyList<OutboxMessage> rows, long after, CancellationToken ct)
    {
        long? previous = after;
        foreach (var row in rows)
        {
            // A lost lease stops the pushes at once: the next holder pushes from the saved position.
            ct.ThrowIfCancellationRequested();
            if (audience.Managers.Count > 0)
            {
                await OutboxDispatch.SendAsync(hub.Clients.Groups(audience.Managers), row, previous);
            }

            previous = row.Sequence;
            foreach (var member in audience.TeamOf(row))
            {
                await OutboxDispatch.SendAsync(hub.Clients.Group(member), row, _teamPushed.TryGetValue((member, organizationId), out var last) ? last : null);
                _teamPushed[(member, organizationId)] = row.Sequence;
                heartbeat.Sent(member);
            }
        }

        // Once per batch: the managers heard from this organization now, so no heartbeat is owed to them for a while.
        heartbeat.Sent(audience.Managers);
    }

    /// <summary>The lead ended: the next holder keeps its own chains.</summary>
    public void Forget() => _teamPushed.Clear();
}
