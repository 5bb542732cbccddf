using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>Turns auto-cover on or off for an organization (opt-in; off by default).</summary>
public sealed class AutoCover(AppDbContext db)
{
    public Task Set(int organizationId, bool enabled, CancellationToken ct) =>
        db.Organizations.Where(o => o.Id == organizationId).ExecuteUpdateAsync(s => s.SetProperty(o => o.AutoCoverEnabled, enabled), ct);
}
