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
public sealed class Memberships(AppDbContext db, AuditTrail audit)
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

    public async Task Remove(int organizationId, int membershipId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginWriteAsync(ct);
        var membership = await Find(organizationId, membershipId, ct);
        membership.EnsureNotTheLastAdministrator(await Administrators(organizationId, ct));

        // Live pushes are addressed per user from the memberships of the moment: nothing else to revoke.
        db.Memberships.Remove(membership);
        audit.Add(organizationId, AuditAction.MembershipRemoved, await EmailOf(membership.UserId, ct), Names.Label(membership.Role));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A new role in the same organization; the last administrator cannot be demoted.</summary>
    public async Task<MemberDto> ChangeRole(int organizationId, int membershipId, ChangeRoleRequest request, CancellationToken ct)
    {
        if (!EntitlementsLive.Domain.Access.TryParseRole(request.Role, EntitlementsLive.Domain.Access.OrganizationRoles, out var role))
        {
            throw DomainException.Validation("role", "role must be OrganizationAdministrator, EntitlementManager or EventTeam.");
        }

        if (role == Role.EventTeam && (request.EventId is not { } eventId || !await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizationId == organizationId, ct)))
        {
            throw DomainException.Validation("eventId", "An event team member belongs to one of the organization's events: give its id.");
        }

        await using var tx = await db.Database.BeginWriteAsync(ct);
        var membership = await Find(organizationId, membershipId, ct);
        if (role != Role.OrganizationAdministrator)
        {
            membership.EnsureNotTheLastAdministrator(await Administrators(organizationId, ct));
        }

        var before = Names.Label(membership.Role);
        membership.ChangeRole(role, role == Role.EventTeam ? request.EventId : null);
        audit.Add(organizationId, AuditAction.MembershipRoleChanged, await EmailOf(membership.UserId, ct), $"{before} → {Names.Label(role)}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await List(organizationId, ct)).Single(m => m.Id == membershipId);
    }

    private async Task<Membership> Find(int organizationId, int membershipId, CancellationToken ct) =>
        await db.Memberships.SingleOrDefaultAsync(m => m.Id == membershipId && m.OrganizationId == organizationId, ct)
            ?? throw Validation.NotFound("The membership");

    private async Task<string> EmailOf(string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) ?? userId;

    private Task<int> Administrators(int organizationId, CancellationToken ct) =>
        db.Memberships.CountAsync(m => m.OrganizationId == organizationId && m.Role == Role.OrganizationAdministrator, ct);
}

public sealed record ChangeRoleRequest(string? Role, int? EventId);
