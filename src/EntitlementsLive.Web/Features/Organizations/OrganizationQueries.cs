using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>One of the caller's organizations: their strongest role in it, and whether they manage its entitlements.</summary>
public sealed record OrganizationDto(int Id, string Name, bool EntitlementsActivated, Role Role, bool ManagesEntitlements, bool AdministersOrganization);

public sealed class OrganizationQueries(AppDbContext db)
{
    /// <summary>The caller's organizations, with their strongest role in each.</summary>
    public async Task<IReadOnlyList<OrganizationDto>> Mine(IReadOnlyList<Membership> memberships, CancellationToken ct)
    {
        var roles = memberships.Where(m => m.OrganizationId is not null)
            .GroupBy(m => m.OrganizationId!.Value)
            .ToDictionary(g => g.Key, g => g.StrongestRole());
        var ids = roles.Keys.ToList();
        var organizations = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Name).ToListAsync(ct);
        return organizations.Select(o => new OrganizationDto(o.Id, o.Name, o.EntitlementsActivated, roles[o.Id], memberships.ManagesEntitlements(o.Id), memberships.AdministersOrganization(o.Id))).ToList();
    }

    public async Task<Organization> Get(int organizationId, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, ct) ?? throw Validation.NotFound("The organization");

    /// <summary>Every organization, for Ops pickers.</summary>
    public async Task<IReadOnlyList<Organization>> All(CancellationToken ct) =>
        await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ct);
}
