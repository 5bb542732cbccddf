using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Requests;

public sealed record DeclineBody(string? Reason);

/// <summary>An administrator declines an open request with a reason the team reads on its banner.</summary>
public sealed class DeclineRequest(AppDbContext db, OrganizationWrite write, CurrentUser me, AuditTrail audit)
{
    public async Task<RequestDto> Handle(int organizationId, long requestId, DeclineBody body, CancellationToken ct)
    {
        var (_, name, email) = await People.CurrentAsync(db, me, ct);
        var (request, eventName) = await write.RunAsync(organizationId, async change =>
        {
            var r = await change.Db.EntitlementRequests.SingleOrDefaultAsync(x => x.OrganizationId == organizationId && x.Id == requestId, ct)
                    ?? throw Validation.NotFound("The request");
            var eventName = await WriteQueries.EventNameAsync(change.Db, organizationId, r.EventId) ?? "";
            r.Decline(name, email, body.Reason, change.Now);
            change.Db.AuditEntries.Add(audit.Entry(organizationId, AuditAction.RequestDeclined, eventName, r.Reason ?? ""));
            change.Raise(new RequestChanged(r, eventName));
            return (r, eventName);
        }, ct);
        return RequestDto.Of(request, eventName);
    }
}
