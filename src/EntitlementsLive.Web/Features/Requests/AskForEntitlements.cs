using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Requests;

public sealed record AskRequest(string? Note);

/// <summary>The event's request, and whether this call opened it (false: the open one is answered).</summary>
public sealed record AskResult(RequestDto Request, bool Created);

/// <summary>
/// "Ask an administrator to cover this event" (rule 15): the request records what the event misses now and who asked,
/// in a change of the organization (its message reaches the admins and the event's team). One open request per event:
/// asking again answers the open one.
/// </summary>
public sealed class AskForEntitlements(AppDbContext db, OrganizationWrite write, CurrentUser me, AuditTrail audit)
{
    public async Task<AskResult> Handle(int organizationId, int eventId, AskRequest body, CancellationToken ct)
    {
        var (userId, name, email) = await People.CurrentAsync(db, me, ct);
        var eventName = await WriteQueries.EventNameAsync(db, organizationId, eventId) ?? throw Validation.NotFound("The event");
        var (request, created) = await write.RunAsync(organizationId, async change =>
        {
            var w = change.Db;
            var open = await w.EntitlementRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrganizationId == organizationId && r.OpenEventId == eventId, ct);
            if (open is not null)
            {
                return (open, false);
            }

            var e = await WriteQueries.EventAsync(w, organizationId, eventId, ct) ?? throw Validation.NotFound("The event");
            var missing = e.Products.Where(p => p.Missing > 0).OrderBy(p => p.ProductCode, StringComparer.Ordinal).Select(p => new PlanShortfall(p.ProductCode, p.Missing)).ToList();
            var asked = EntitlementRequest.Ask(e, missing, userId, name, email, body.Note, change.Now);
            w.EntitlementRequests.Add(asked);
            w.AuditEntries.Add(audit.Entry(organizationId, AuditAction.RequestOpened, eventName,
                string.Join(", ", missing.Select(m => FormattableString.Invariant($"{m.Missing} {m.ProductCode}")))));
            change.Raise(new RequestChanged(asked, eventName));
            return (asked, true);
        }, ct);
        return new AskResult(RequestDto.Of(request, eventName), created);
    }
}
