using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Adds an audit entry to the caller's unit of work, so it is saved with the action it describes (both or neither).
/// Who and from where come from the current request.
/// </summary>
public sealed class AuditTrail(AppDbContext db, CurrentUser me, IHttpContextAccessor http, TimeProvider clock)
{
    public void Add(int organizationId, AuditAction action, string subject, string details = "", string? actor = null) =>
        db.AuditEntries.Add(Entry(organizationId, action, subject, details, actor));

    /// <summary>The entry, for a caller that saves it in a change of its own (inside <c>OrganizationWrite</c>, the writer's context).</summary>
    public AuditEntry Entry(int organizationId, AuditAction action, string subject, string details = "", string? actor = null) =>
        AuditEntry.Record(organizationId, clock.GetUtcNow().UtcDateTime, actor ?? me.Actor,
            http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "", action, subject, details);
}
