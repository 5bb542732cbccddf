using System.Security.Claims;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Who is calling and what their memberships allow (rule 8). Memberships are read from the database
/// on each request, so a removed membership takes effect at once.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor http, AppDbContext db)
{
    private IReadOnlyList<Membership>? _memberships;

    public ClaimsPrincipal Principal => http.HttpContext?.User ?? new ClaimsPrincipal();

    public string? UserId => Principal.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>How the ledger names the caller.</summary>
    public string Actor => Principal.FindFirstValue(ClaimTypes.Email) ?? Principal.Identity?.Name ?? "unknown";

    public async Task<IReadOnlyList<Membership>> MembershipsAsync(CancellationToken ct) =>
        _memberships ??= UserId is null ? [] : await Load(db, UserId, ct);

    public static async Task<IReadOnlyList<Membership>> Load(AppDbContext db, string userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).ToListAsync(ct);

    public async Task<bool> IsOpsAsync(CancellationToken ct) =>
        (await MembershipsAsync(ct)).Any(m => m.Role == Role.Ops);

    public async Task<bool> IsAdminAsync(int organizationId, CancellationToken ct) =>
        (await MembershipsAsync(ct)).Any(m => m.Role == Role.OrganizationAdministrator && m.OrganizationId == organizationId);

    /// <summary>The organization, when the caller administers it and its entitlements are activated.</summary>
    public async Task<Organization> RequireAdminAsync(int organizationId, CancellationToken ct)
    {
        var organization = await VisibleOrganization(organizationId, ct);
        if (!await IsAdminAsync(organizationId, ct))
        {
            throw new DomainException(ErrorCodes.Forbidden, "Only Organization Administrators manage entitlements.");
        }

        return RequireActivated(organization);
    }

    /// <summary>Admins of the organization and the event's own team may read its coverage.</summary>
    public async Task<Organization> RequireEventReaderAsync(int organizationId, int eventId, CancellationToken ct)
    {
        var organization = await VisibleOrganization(organizationId, ct);
        var memberships = await MembershipsAsync(ct);
        var admin = memberships.Any(m => m.Role == Role.OrganizationAdministrator && m.OrganizationId == organizationId);
        var team = memberships.Any(m => m.Role == Role.EventTeam && m.EventId == eventId);
        if (!admin && !team)
        {
            // Another event of the same organization: say nothing about it.
            throw Validation.NotFound("The event");
        }

        return RequireActivated(organization);
    }

    /// <summary>Participant changes come from the organization's admins or from its registration system's key.</summary>
    public async Task RequireChangeSenderAsync(int organizationId, CancellationToken ct)
    {
        var keyOrganization = Principal.FindFirstValue(IntegrationOrganizationClaim);
        if (keyOrganization is null)
        {
            await RequireAdminAsync(organizationId, ct);
            return;
        }

        if (keyOrganization != organizationId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw Validation.NotFound("The organization");
        }

        RequireActivated(await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == organizationId, ct));
    }

    public const string IntegrationOrganizationClaim = "el:integration-org";

    public async Task RequireOpsAsync(CancellationToken ct)
    {
        if (!await IsOpsAsync(ct))
        {
            throw new DomainException(ErrorCodes.Forbidden, "Only Ops staff record purchases.");
        }
    }

    private async Task<Organization> VisibleOrganization(int organizationId, CancellationToken ct)
    {
        var memberships = await MembershipsAsync(ct);
        var organization = memberships.Any(m => m.OrganizationId == organizationId)
            ? await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, ct)
            : null;

        // Another organization's ids answer as if they did not exist.
        return organization ?? throw Validation.NotFound("The organization");
    }

    private static Organization RequireActivated(Organization organization) =>
        organization.EntitlementsActivated
            ? organization
            : throw new DomainException(ErrorCodes.EntitlementsNotActivated,
                "Entitlements are not activated for your organization — contact your account manager.");
}
