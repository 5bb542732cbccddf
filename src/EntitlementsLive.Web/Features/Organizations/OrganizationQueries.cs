using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

public sealed record OrganizationDto(int Id, string Name, bool EntitlementsActivated, string Role);

public sealed class OrganizationQueries(AppDbContext db)
{
    /// <summary>The caller's organizations, with their strongest role in each.</summary>
    public async Task<IReadOnlyList<OrganizationDto>> Mine(IReadOnlyList<Membership> memberships, CancellationToken ct)
    {
        var roles = memberships.Where(m => m.OrganizationId is not null)
            .GroupBy(m => m.OrganizationId!.Value)
            .ToDictionary(g => g.Key, g => g.Min(m => m.Role));
        var ids = roles.Keys.ToList();
        var organizations = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Name).ToListAsync(ct);
        return organizations.Select(o => new OrganizationDto(o.Id, o.Name, o.EntitlementsActivated, RoleName(roles[o.Id]))).ToList();
    }

    public static string RoleName(Role role) => role switch
    {
        Role.OrganizationAdministrator => "OrganizationAdministrator",
        Role.EventTeam => "EventTeam",
        _ => "Ops",
    };
}
