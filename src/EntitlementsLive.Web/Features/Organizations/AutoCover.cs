using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>Turns auto-cover on or off for an organization (opt-in; off by default).</summary>
public sealed class AutoCover(AppDbContext db, AuditTrail audit)
{
    /// <summary>Through the domain's own setter; the audit trail records a real change only, as activation does.</summary>
    public Task Set(int organizationId, bool enabled, CancellationToken ct) => db.WriteAsync(async () =>
    {
        var organization = await db.Organizations.SingleAsync(o => o.Id == organizationId, ct);
        if (organization.AutoCoverEnabled == enabled)
        {
            return 0;
        }

        organization.SetAutoCover(enabled);
        audit.Add(organizationId, AuditAction.AutoCoverChanged, "auto-cover", enabled ? "on" : "off");
        return await db.SaveChangesAsync(ct);
    }, ct);
}
