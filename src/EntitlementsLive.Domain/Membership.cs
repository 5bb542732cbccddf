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

    /// <summary>
    /// An organization keeps at least one administrator: its last one can be neither removed nor demoted.
    /// <paramref name="administrators"/> counts the organization's administrator memberships, this one included.
    /// </summary>
    public void EnsureNotTheLastAdministrator(int administrators)
    {
        if (Role == Role.OrganizationAdministrator && administrators <= 1)
        {
            throw new DomainException(ErrorCodes.LastAdministrator,
                "This is the organization's last administrator: invite or appoint another administrator first.");
        }
    }

    /// <summary>A new role within the same organization (an event team member belongs to one of its events).</summary>
    public void ChangeRole(Role role, int? eventId)
    {
        if (role == Role.Ops || (role == Role.EventTeam) != (eventId is not null))
        {
            throw DomainException.Validation("role", "Choose OrganizationAdministrator, EntitlementManager, or EventTeam with its event.");
        }

        (Role, EventId) = (role, eventId);
    }
}
