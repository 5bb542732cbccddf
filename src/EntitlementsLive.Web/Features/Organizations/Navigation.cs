using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>An event on the home page. <paramref name="Missing"/> is null where the organization's entitlements are not activated (rule 8: no badge).</summary>
public sealed record TeamEvent(int OrganizationId, int EventId, string Name, bool? Missing, DateTime StartsAt, DateTime EndsAt, string TimeZone);

public sealed record NavigationModel(string DisplayName, string Email, IReadOnlyList<OrganizationDto> Organizations, IReadOnlyList<TeamEvent> Events, bool IsOps);

/// <summary>What needs attention in one organization: its live events short of entitlements, and its lowest pools.</summary>
public sealed record Attention(int MissingLiveEvents, IReadOnlyList<TeamEvent> FirstMissing, IReadOnlyList<PoolDto> LowestPools);

/// <summary>What the layout and the home page show: the user's organizations, events and roles.</summary>
public sealed class Navigation(AppDbContext db, CurrentUser me, OrganizationQueries orgs, TimeProvider clock)
{
    /// <summary>The home page names this many of an organization's live events missing entitlements, soonest first.</summary>
    public const int FirstMissing = 3;

    /// <summary>For each organization whose entitlements the user manages: what the home page points at.</summary>
    public async Task<IReadOnlyDictionary<int, Attention>> AttentionAsync(IEnumerable<OrganizationDto> organizations, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var result = new Dictionary<int, Attention>();
        foreach (var org in organizations.Where(o => o.ManagesEntitlements && o.EntitlementsActivated))
        {
            var missing = db.Events.AsNoTracking().Where(e => e.OrganizationId == org.Id).Where(Event.MissingIs(true)).Where(Event.LiveAt(now));
            var first = await missing.OrderBy(e => e.StartsAt).ThenBy(e => e.Id).Take(FirstMissing)
                .Select(e => new TeamEvent(e.OrganizationId, e.Id, e.Name, e.IsMissing, e.StartsAt, e.EndsAt, e.TimeZone)).ToListAsync(ct);
            var count = first.Count < FirstMissing ? first.Count : await missing.CountAsync(ct);
            var pools = await Snapshots.PoolsAsync(db, org.Id, null, ct);
            var lowest = pools.OrderBy(p => p.Purchased == 0 ? 1.0 : (double)p.Available / p.Purchased).ThenBy(p => p.Available).Take(2).ToList();
            result[org.Id] = new Attention(count, first, lowest);
        }

        return result;
    }

    private NavigationModel? _model;

    public async Task<NavigationModel> GetAsync(CancellationToken ct)
    {
        if (_model is not null)
        {
            return _model;
        }

        var memberships = await me.MembershipsAsync(ct);
        var userId = me.UserId;
        var user = userId is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(ct);
        var eventIds = memberships.TeamEvents();
        var events = await db.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id)).OrderBy(e => e.StartsAt)
            .Join(db.Organizations, e => e.OrganizationId, o => o.Id, (e, o) => new TeamEvent(e.OrganizationId, e.Id, e.Name, o.EntitlementsActivated ? e.IsMissing : null, e.StartsAt, e.EndsAt, e.TimeZone))
            .ToListAsync(ct);
        _model = new NavigationModel(
            user?.DisplayName ?? me.Actor,
            user?.Email ?? me.Actor,
            await orgs.Mine(memberships, ct),
            events,
            memberships.IsOps());
        return _model;
    }
}
