using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

public sealed record TeamEvent(int OrganizationId, int EventId, string Name, bool Missing, DateTime StartsAt, DateTime EndsAt);

public sealed record NavigationModel(string DisplayName, string Email, IReadOnlyList<OrganizationDto> Organizations, IReadOnlyList<TeamEvent> Events, bool IsOps);

/// <summary>What the layout and the home page show: the user's organizations, events and roles.</summary>
public sealed class Navigation(AppDbContext db, CurrentUser me, OrganizationQueries orgs)
{
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
            .Select(e => new TeamEvent(e.OrganizationId, e.Id, e.Name, e.IsMissing, e.StartsAt, e.EndsAt)).ToListAsync(ct);
        _model = new NavigationModel(
            user?.DisplayName ?? me.Actor,
            user?.Email ?? me.Actor,
            await orgs.Mine(memberships, ct),
            events,
            memberships.IsOps());
        return _model;
    }
}
