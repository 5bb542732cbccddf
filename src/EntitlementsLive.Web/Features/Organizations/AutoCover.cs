using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>Turns auto-cover on or off for an organization (opt-in; off by default).</summary>
public sealed class AutoCover(AppDbContext db, AuditTrail audit)
{
    public Task Set(int organizationId, bool enabled, CancellationToken ct) => db.WriteAsync(async () =>
    {
        await db.Organizations.Where(o => o.Id == organizationId).ExecuteUpdateAsync(s => s.SetProperty(o => o.AutoCoverEnabled, enabled), ct);
        audit.Add(organizationId, AuditAction.AutoCoverChanged, "auto-cover", enabled ? "on" : "off");
        return await db.SaveChangesAsync(ct);
    }, ct);
}
