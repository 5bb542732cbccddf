using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

/// <summary>A member as the list shows it: the name people know them by, their address, their role.</summary>
public sealed record MemberDto(int Id, string Email, Role Role, int? EventId, string? EventName, string Name);

/// <summary>
/// An organization's memberships. Removing one takes effect at once everywhere: on the next request
/// (memberships are read per request) and on the user's open live connections.
/// </summary>
public sealed class Memberships(AppDbContext db, AuditTrail audit)
{
    public Task<IReadOnlyList<MemberDto>> List(int organizationId, CancellationToken ct) => Members(organizationId, null, ct);

    /// <summary>The organization's members, or the one <paramref name="membershipId"/> names.</summary>
    private async Task<IReadOnlyList<MemberDto>> Members(int organizationId, int? membershipId, CancellationToken ct) =>
        (await (from m in db.Memberships.AsNoTracking()
               join u in db.Users on m.UserId equals u.Id
               join e in db.Events on m.EventId equals e.Id into es
               from e in es.DefaultIfEmpty()
               where m.OrganizationId == organizationId && (membershipId == null || m.Id == membershipId)
               orderby m.Role, u.Email
               select new { m.Id, u.Email, u.DisplayName, m.Role, m.EventId, EventName = e == null ? null : e.Name })
            .ToListAsync(ct))
        .Select(m => new MemberDto(m.Id, m.Email!, m.Role, m.EventId, m.EventName, string.IsNullOrWhiteSpace(m.DisplayName) ? m.Email! : m.DisplayName)).ToList();

    public async Task Remove(int organizationId, int membershipId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(organizationId, ct);
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
        var check = new Validation();
        var role = await RoleChoices.ReadAsync(db, check, organizationId, request.Role, request.EventId, EntitlementsLive.Domain.Access.OrganizationRoles, ct);
        check.ThrowIfInvalid();

        await using var tx = await db.BeginWriteAsync(organizationId, ct);
        var membership = await Find(organizationId, membershipId, ct);
        if (role != Role.OrganizationAdministrator)
        {
            membership.EnsureNotTheLastAdministrator(await Administrators(organizationId, ct));
        }

        var before = Names.Label(membership.Role);
        membership.ChangeRole(role, request.EventId);
        audit.Add(organizationId, AuditAction.MembershipRoleChanged, await EmailOf(membership.UserId, ct), $"{before} → {Names.Label(role)}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await Members(organizationId, membershipId, ct)).Single();
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

/// <summary>A role as invitations and role changes read it: one of the allowed roles, with an event of the organization for its team, and only then.</summary>
internal static class RoleChoices
{
    public static async Task<Role> ReadAsync(AppDbContext db, Validation check, int? organizationId, string? text, int? eventId, IReadOnlyList<Role> allowed, CancellationToken ct)
    {
        if (!EntitlementsLive.Domain.Access.TryParseRole(text, allowed, out var role))
        {
            check.Add("role", $"role must be {string.Join(", ", allowed)}.");
        }
        else if (role == Role.EventTeam && (eventId is not { } id || !await db.Events.AnyAsync(e => e.Id == id && e.OrganizationId == organizationId, ct)))
        {
            check.Add("eventId", "An event team member belongs to one of the organization's events: give its id.");
        }
        else if (role != Role.EventTeam && eventId is not null)
        {
            check.Add("eventId", "Only an event team member belongs to an event.");
        }

        return role;
    }
}
