using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Live;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

public sealed record MemberDto(int Id, string Email, string Role, int? EventId, string? EventName);

/// <summary>
/// An organization's memberships. Removing one takes effect at once everywhere: on the next request
/// (memberships are read per request) and on the user's open live connections.
/// </summary>
public sealed class Memberships(AppDbContext db, LiveGroups groups)
{
    public async Task<IReadOnlyList<MemberDto>> List(int organizationId, CancellationToken ct) =>
        await (from m in db.Memberships.AsNoTracking()
               join u in db.Users on m.UserId equals u.Id
               join e in db.Events on m.EventId equals e.Id into es
               from e in es.DefaultIfEmpty()
               where m.OrganizationId == organizationId
               orderby m.Role, u.Email
               select new MemberDto(m.Id, u.Email!, m.Role == Role.OrganizationAdministrator ? "OrganizationAdministrator" : "EventTeam", m.EventId, e == null ? null : e.Name))
            .ToListAsync(ct);

    public async Task Remove(int organizationId, int membershipId, string? callerId, CancellationToken ct)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.Id == membershipId && m.OrganizationId == organizationId, ct)
            ?? throw Validation.NotFound("The membership");
        if (membership.UserId == callerId && membership.Role == Role.OrganizationAdministrator)
        {
            throw DomainException.Validation("membershipId", "You cannot remove your own administrator membership; ask another administrator.");
        }

        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(ct);

        var remaining = await CurrentUser.Load(db, membership.UserId, ct);
        var lost = LiveGroups.For([membership]).Except(LiveGroups.For(remaining), StringComparer.Ordinal).ToList();
        await groups.RevokeAsync(membership.UserId, lost, ct);
    }
}
