using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Who may see an organization's pushes right now (rule 8): those who manage its entitlements see
/// everything, an event's team sees that event's coverage; nobody hears of an organization whose
/// entitlements are not activated.
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

    private static LiveAudience Of(int organizationId, IReadOnlyList<Membership> memberships)
    {
        var managers = memberships.GroupBy(m => m.UserId).Where(g => g.ManagesEntitlements(organizationId)).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var teams = memberships.Where(m => !managers.Contains(m.UserId)).GroupBy(m => m.UserId)
            .SelectMany(g => g.TeamEvents(organizationId).Select(eventId => (EventId: eventId, UserId: g.Key)))
            .GroupBy(x => x.EventId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => LiveGroups.User(x.UserId)).Distinct(StringComparer.Ordinal).ToList());
        return new LiveAudience(managers.Select(LiveGroups.User).ToList(), teams);
    }
}
