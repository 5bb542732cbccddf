using System.Linq.Expressions;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Who hears an organization's live messages right now (rule 8), the one home of that rule: those who manage its
/// entitlements hear everything, an event's team its event's coverage and requests (<see cref="MessageTypes.ForTeams"/>),
/// nothing of other events; nobody hears of an organization whose entitlements are not activated. The drain addresses
/// groups by it (<see cref="Managers"/>, <see cref="TeamOf"/>), the heartbeat too, and Resume replays through
/// <see cref="ReplayFilter"/>, the same rule as a query.
/// </summary>
public sealed class LiveAudience
{
    private static readonly LiveAudience Nobody = new([], new Dictionary<int, IReadOnlyList<string>>());

    private LiveAudience(IReadOnlyList<string> managers, IReadOnlyDictionary<int, IReadOnlyList<string>> teams)
    {
        Managers = managers;
        Teams = teams;
    }

    /// <summary>The user groups of those who manage the organization's entitlements.</summary>
    public IReadOnlyList<string> Managers { get; }

    /// <summary>Per event, the user groups of its team (managers excluded: they already receive everything).</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> Teams { get; }

    /// <summary>The team groups that hear <paramref name="row"/> besides the managers.</summary>
    public IReadOnlyList<string> TeamOf(OutboxMessage row) =>
        MessageTypes.ReachesTeams(row.Type) && row.EventId is { } eventId && Teams.TryGetValue(eventId, out var team) ? team : [];

    /// <summary>The groups of everyone on a team of one of the organization's events (managers excluded), once each.</summary>
    public IEnumerable<string> TeamMembers => Teams.Values.SelectMany(team => team).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// What one person may replay of an organization whose entitlements work, as a filter the database runs: all of it
    /// for those who manage them, their events' team messages for a team, null when they hear nothing of it.
    /// </summary>
    public static Expression<Func<OutboxMessage, bool>>? ReplayFilter(IReadOnlyCollection<Membership> memberships, int organizationId)
    {
        if (!memberships.FollowsLive(organizationId))
        {
            return null;
        }

        if (memberships.ManagesEntitlements(organizationId))
        {
            return m => true;
        }

        var events = memberships.TeamEvents(organizationId).Select(id => (int?)id).ToList();
        var types = MessageTypes.ForTeams;
        return m => types.Contains(m.Type) && events.Contains(m.EventId);
    }

    public static async Task<LiveAudience> LoadAsync(AppDbContext db, int organizationId, CancellationToken ct)
    {
        if (!await db.Organizations.Where(o => o.Id == organizationId).AnyAsync(Organization.EntitlementsWork, ct))
        {
            return Nobody;
        }

        return Of(organizationId, await db.Memberships.AsNoTracking().Where(m => m.OrganizationId == organizationId).ToListAsync(ct));
    }

    /// <summary>Every organization's audience at once (the heartbeat's round), by the same rule; organizations that do not work are left out.</summary>
    public static async Task<IReadOnlyDictionary<int, LiveAudience>> LoadAllAsync(AppDbContext db, CancellationToken ct)
    {
        var working = db.Organizations.Where(Organization.EntitlementsWork).Select(o => (int?)o.Id);
        var memberships = await db.Memberships.AsNoTracking().Where(m => working.Contains(m.OrganizationId)).ToListAsync(ct);
        return memberships.GroupBy(m => m.OrganizationId!.Value).ToDictionary(g => g.Key, g => Of(g.Key, [.. g]));
    }

    /// <summary>The audience of one organization whose entitlements work, from its memberships.</summary>
    public static LiveAudience Of(int organizationId, IReadOnlyList<Membership> memberships)
    {
        var managers = memberships.GroupBy(m => m.UserId).Where(g => g.ManagesEntitlements(organizationId)).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var teams = memberships.Where(m => !managers.Contains(m.UserId)).GroupBy(m => m.UserId)
            .SelectMany(g => g.TeamEvents(organizationId).Select(eventId => (EventId: eventId, UserId: g.Key)))
            .GroupBy(x => x.EventId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => LiveGroups.User(x.UserId)).Distinct(StringComparer.Ordinal).ToList());
        return new LiveAudience(managers.Select(LiveGroups.User).ToList(), teams);
    }
}
