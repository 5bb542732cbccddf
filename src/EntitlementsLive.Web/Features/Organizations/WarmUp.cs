using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Forecasts;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>
/// What a node computes before it takes requests: every organization's forecast (at size it replays millions of
/// participant changes) and, once, the Events tab's queries (compiled, and their plans prepared), so the first
/// administrator to open the tab does not wait for either. Reads only. It answers whose pages the node then renders
/// once before it says it is ready (<see cref="WarmUpTarget"/>), or null when no working organization has an
/// administrator.
/// </summary>
public sealed class WarmUp(AppDbContext db, ForecastQueries forecasts, EventsScreenQuery events)
{
    public async Task<WarmUpTarget?> Handle(CancellationToken ct)
    {
        await forecasts.Shortfalls(ct);
        var largest = await db.Events.GroupBy(e => e.OrganizationId).OrderByDescending(g => g.Count()).Select(g => (int?)g.Key).FirstOrDefaultAsync(ct);
        if (largest is not int organizationId || !await db.Organizations.Where(o => o.Id == organizationId).AnyAsync(Organization.EntitlementsWork, ct))
        {
            return null;
        }

        await events.For(organizationId, new EventsScreenRequest("live", MissingOnly: false, PageNumber: 1), ct);
        await events.For(organizationId, new EventsScreenRequest("past", MissingOnly: true, PageNumber: 2), ct);
        var administrator = await db.Memberships
            .Where(m => m.OrganizationId == organizationId && m.Role == Role.OrganizationAdministrator)
            .OrderBy(m => m.Id).Select(m => m.UserId).FirstOrDefaultAsync(ct);
        return administrator is null ? null : new WarmUpTarget(organizationId, administrator);
    }
}

/// <summary>The organization whose tabs a starting node renders once, as one of its administrators.</summary>
public sealed record WarmUpTarget(int OrganizationId, string AdministratorId);
