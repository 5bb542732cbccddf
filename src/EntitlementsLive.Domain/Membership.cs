namespace EntitlementsLive.Domain;

public enum Role
{
    OrganizationAdministrator = 0,
    EventTeam = 1,
    Ops = 2,

    /// <summary>Rule 12: manages one organization's entitlements without being its administrator.</summary>
    EntitlementManager = 3,
}

/// <summary>
/// What a user may see and do. Admins hold an organization, event teams one event of it, Ops the platform.
/// </summary>
public sealed class Membership
{
    private Membership() { }

    public int Id { get; private set; }

    public string UserId { get; private set; } = "";

    public Role Role { get; private set; }

    public int? OrganizationId { get; private set; }

    public int? EventId { get; private set; }

    public static Membership Administrator(string userId, int organizationId) =>
        new() { UserId = userId, Role = Role.OrganizationAdministrator, OrganizationId = organizationId };

    public static Membership Team(string userId, int organizationId, int eventId) =>
        new() { UserId = userId, Role = Role.EventTeam, OrganizationId = organizationId, EventId = eventId };

    public static Membership Manager(string userId, int organizationId) =>
        new() { UserId = userId, Role = Role.EntitlementManager, OrganizationId = organizationId };

    public static Membership Ops(string userId) => new() { UserId = userId, Role = Role.Ops };

    /// <summary>An administrator cannot remove their own administrator membership (another administrator must).</summary>
    public void EnsureRemovableBy(string? callerId)
    {
        if (UserId == callerId && Role == Role.OrganizationAdministrator)
        {
            throw DomainException.Validation("membershipId", "You cannot remove your own administrator membership; ask another administrator.");
        }
    }
}
