using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

public sealed record MemberDto(int Id, string Email, Role Role, int? EventId, string? EventName);

/// <summary>
/// An organization's memberships. Removing one takes effect at once everywhere: on the next request
/// (memberships are read per request) and on the user's open live connections.
/// </summary>
public sealed class Memberships(AppDbContext db)
{
    public async Task<IReadOnlyList<MemberDto>> List(int organizationId, CancellationToken ct) =>
        (await (from m in db.Memberships.AsNoTracking()
               join u in db.Users on m.UserId equals u.Id
               join e in db.Events on m.EventId equals e.Id into es
               from e in es.DefaultIfEmpty()
               where m.OrganizationId == organizationId
               orderby m.Role, u.Email
               select new { m.Id, u.Email, m.Role, m.EventId, EventName = e == null ? null : e.Name })
            .ToListAsync(ct))
        .Select(m => new MemberDto(m.Id, m.Email!, m.Role, m.EventId, m.EventName)).ToList();

    public async Task Remove(int organizationId, int membershipId, string? callerId, CancellationToken ct)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.Id == membershipId && m.OrganizationId == organizationId, ct)
            ?? throw Validation.NotFound("The membership");
        membership.EnsureRemovableBy(callerId);

        // Live pushes are addressed per user from the memberships of the moment: nothing else to revoke.
        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(ct);
    }
}
