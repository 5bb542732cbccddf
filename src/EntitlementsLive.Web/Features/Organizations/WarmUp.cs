using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Forecasts;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>
/// What a node computes before it takes requests: every organization's forecast (at size it replays millions of
/// participant changes) and, once, the Events tab's queries (compiled, and their plans prepared), so the first
/// administrator to open the tab does not wait for either. Reads only.
/// </summary>
public sealed class WarmUp(AppDbContext db, ForecastQueries forecasts, EventsScreenQuery events)
{
    public async Task Handle(CancellationToken ct)
    {
        await forecasts.Shortfalls(ct);
        var largest = await db.Events.GroupBy(e => e.OrganizationId).OrderByDescending(g => g.Count()).Select(g => (int?)g.Key).FirstOrDefaultAsync(ct);
        if (largest is int organizationId && await db.Organizations.Where(o => o.Id == organizationId).AnyAsync(Organization.EntitlementsWork, ct))
        {
            await events.For(organizationId, new EventsScreenRequest("live", MissingOnly: false, PageNumber: 1), ct);
            await events.For(organizationId, new EventsScreenRequest("past", MissingOnly: true, PageNumber: 2), ct);
        }
    }
}
