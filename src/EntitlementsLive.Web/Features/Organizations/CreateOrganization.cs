using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Organizations;

public sealed record CreateOrganizationRequest(string? Name, string? IdempotencyKey);

public sealed record OrganizationSummary(int Id, string Name, bool EntitlementsActivated);

public sealed record CreateOrganizationResult(OrganizationSummary Organization, bool Created);

/// <summary>Ops bring on a new customer: an organization with entitlements not yet activated. A retry with the same key creates nothing twice.</summary>
public sealed class CreateOrganization(AppDbContext db)
{
    public async Task<CreateOrganizationResult> Handle(CreateOrganizationRequest request, CancellationToken ct)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        Organization? organization = null;
        check.Capture(() => organization = Organization.Create(request.Name ?? "", request.IdempotencyKey ?? ""));
        check.ThrowIfInvalid();

        if (await Earlier(request.IdempotencyKey!, organization!.Name, ct) is { } earlier)
        {
            return new CreateOrganizationResult(earlier, Created: false);
        }

        db.Organizations.Add(organization);
        try
        {
            await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        }
        catch (DbUpdateException)
        {
            // The same key raced in: the unique index decided, answer with the first.
            db.ChangeTracker.Clear();
            return new CreateOrganizationResult(await Earlier(request.IdempotencyKey!, organization.Name, ct) ?? throw new InvalidOperationException("The organization vanished."), Created: false);
        }

        return new CreateOrganizationResult(Summary(organization), Created: true);
    }

    private async Task<OrganizationSummary?> Earlier(string key, string name, CancellationToken ct)
    {
        var earlier = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.CreationKey == key, ct);
        if (earlier is not null && earlier.Name != name)
        {
            throw new DomainException(ErrorCodes.IdempotencyKeyReused, "This idempotency key already created another organization. Nothing was created.");
        }

        return earlier is null ? null : Summary(earlier);
    }

    public static OrganizationSummary Summary(Organization o) => new(o.Id, o.Name, o.EntitlementsActivated);
}

public sealed record ActivationRequest(bool? Activated);

/// <summary>Ops turn an organization's entitlements on or off (rule 8); every row is kept, and screens follow at their next push.</summary>
public sealed class SetActivation(AppDbContext db, AuditTrail audit)
{
    public async Task<OrganizationSummary> Handle(int organizationId, ActivationRequest request, CancellationToken ct)
    {
        if (request.Activated is not { } activated)
        {
            throw DomainException.Validation("activated", "Say true to activate the organization's entitlements, false to deactivate them.");
        }

        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == organizationId, ct) ?? throw Validation.NotFound("The organization");
        if (organization.EntitlementsActivated != activated)
        {
            audit.Add(organizationId, activated ? AuditAction.EntitlementsActivated : AuditAction.EntitlementsDeactivated, organization.Name);
        }

        organization.Activate(activated);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return CreateOrganization.Summary(organization);
    }
}
