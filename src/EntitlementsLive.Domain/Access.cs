namespace EntitlementsLive.Domain;

/// <summary>What an organization's integration key may do.</summary>
public enum IntegrationScope
{
    /// <summary>Send participant changes and read batch status (a registration system).</summary>
    ParticipantChanges = 0,

    /// <summary>Sync the organization's events from the platform.</summary>
    Events = 1,
}

/// <summary>
/// Rule 8 and rule 12: who may do what, from a user's memberships. The web app's authorization policies
/// and the live pushes both ask here.
/// </summary>
public static class Access
{
    /// <summary>Organization Administrators and Entitlement Managers manage an organization's entitlements.</summary>
    public static bool ManagesEntitlements(this IEnumerable<Membership> memberships, int organizationId) =>
        memberships.Any(m => m.OrganizationId == organizationId && m.Role is Role.OrganizationAdministrator or Role.EntitlementManager);

    /// <summary>Only Organization Administrators manage members (an Entitlement Manager does not).</summary>
    public static bool AdministersOrganization(this IEnumerable<Membership> memberships, int organizationId) =>
        memberships.Any(m => m.OrganizationId == organizationId && m.Role == Role.OrganizationAdministrator);

    /// <summary>An event's coverage is seen by those who manage the organization's entitlements and by the event's own team.</summary>
    public static bool SeesEvent(this IEnumerable<Membership> memberships, int organizationId, int eventId) =>
        memberships.ManagesEntitlements(organizationId)
        || memberships.Any(m => m.OrganizationId == organizationId && m.Role == Role.EventTeam && m.EventId == eventId);

    /// <summary>
    /// Who follows an organization's live messages (rule 8): those who manage its entitlements, and the teams of its
    /// events (who hear their events' coverage and requests only). The hub's policy and the replay both ask this.
    /// </summary>
    public static bool FollowsLive(this IEnumerable<Membership> memberships, int organizationId) =>
        memberships.ManagesEntitlements(organizationId)
        || memberships.Any(m => m.OrganizationId == organizationId && m.Role == Role.EventTeam && m.EventId is not null);

    /// <summary>A user sees only the organizations they belong to.</summary>
    public static bool BelongsTo(this IEnumerable<Membership> memberships, int organizationId) =>
        memberships.Any(m => m.OrganizationId == organizationId);

    public static bool IsOps(this IEnumerable<Membership> memberships) => memberships.Any(m => m.Role == Role.Ops);

    /// <summary>The roles a person holds within an organization (Ops belong to the platform).</summary>
    public static readonly IReadOnlyList<Role> OrganizationRoles = [Role.OrganizationAdministrator, Role.EntitlementManager, Role.EventTeam];

    /// <summary>A role spelled exactly as the contract spells it ("EntitlementManager"), among <paramref name="allowed"/>.</summary>
    public static bool TryParseRole(string? text, IReadOnlyList<Role> allowed, out Role role)
    {
        foreach (var candidate in allowed)
        {
            if (candidate.ToString() == text)
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }

    /// <summary>The role that says the most: administrator, then entitlement manager, then event team, then Ops.</summary>
    public static Role StrongestRole(this IEnumerable<Membership> memberships) =>
        memberships.Select(m => m.Role).OrderBy(r => r switch
        {
            Role.OrganizationAdministrator => 0,
            Role.EntitlementManager => 1,
            Role.EventTeam => 2,
            _ => 3,
        }).First();

    /// <summary>The events, of any organization, whose team the user is on.</summary>
    public static IReadOnlyList<int> TeamEvents(this IEnumerable<Membership> memberships) =>
        memberships.Where(m => m.Role == Role.EventTeam && m.EventId is not null).Select(m => m.EventId!.Value).ToList();

    /// <summary>The events of an organization whose team the user is on.</summary>
    public static IReadOnlyList<int> TeamEvents(this IEnumerable<Membership> memberships, int organizationId) =>
        memberships.Where(m => m.OrganizationId == organizationId && m.Role == Role.EventTeam && m.EventId is not null)
            .Select(m => m.EventId!.Value).ToList();
}
