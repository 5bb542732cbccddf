namespace EntitlementsLive.Domain;

public enum InvitationPurpose
{
    /// <summary>Join an organization (or the platform's Ops) with a role.</summary>
    Membership = 0,

    /// <summary>Choose a new password.</summary>
    PasswordReset = 1,
}

/// <summary>
/// A single-use, expiring token that lets its holder join with a role, or reset a password. Only a hash of
/// the token is kept; the token itself is shown (or mailed) once.
/// </summary>
public sealed partial class Invitation
{
    private Invitation() { }

    public int Id { get; private set; }

    public InvitationPurpose Purpose { get; private set; }

    /// <summary>Null for an Ops invitation (Ops belong to the platform, not to an organization).</summary>
    public int? OrganizationId { get; private set; }

    public string Email { get; private set; } = "";

    public Role Role { get; private set; }

    public int? EventId { get; private set; }

    public string TokenHash { get; private set; } = "";

    public string CreatedBy { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    public DateTime ExpiresAt { get; private set; }

    public DateTime? UsedAt { get; private set; }

    public static Invitation ToJoin(int? organizationId, string email, Role role, int? eventId, string tokenHash, string createdBy, DateTime now, TimeSpan lifetime)
    {
        if ((role == Role.Ops) != (organizationId is null))
        {
            throw DomainException.Validation("role", "Ops belong to the platform; every other role belongs to an organization.");
        }

        if ((role == Role.EventTeam) != (eventId is not null))
        {
            throw DomainException.Validation("eventId", "An event team member is invited to one event; other roles to none.");
        }

        return new Invitation
        {
            Purpose = InvitationPurpose.Membership, OrganizationId = organizationId, Email = NormalizeEmail(email), Role = role, EventId = eventId,
            TokenHash = tokenHash, CreatedBy = createdBy, CreatedAt = now, ExpiresAt = now + lifetime,
        };
    }

    public static Invitation ToResetPassword(string email, string tokenHash, string createdBy, DateTime now, TimeSpan lifetime) => new()
    {
        Purpose = InvitationPurpose.PasswordReset, Email = NormalizeEmail(email), TokenHash = tokenHash, CreatedBy = createdBy, CreatedAt = now,
        ExpiresAt = now + lifetime,
    };

    /// <summary>Used once, before it expires; anything else (used, expired, unknown) gets the same answer.</summary>
    public bool UsableAt(DateTime now) => UsedAt is null && now < ExpiresAt;

    public void Use(DateTime now)
    {
        if (!UsableAt(now))
        {
            throw Invalid();
        }

        UsedAt = now;
    }

    /// <summary>The membership this invitation grants to <paramref name="userId"/>.</summary>
    public Membership MembershipFor(string userId) => Role switch
    {
        Role.OrganizationAdministrator => Membership.Administrator(userId, OrganizationId!.Value),
        Role.EntitlementManager => Membership.Manager(userId, OrganizationId!.Value),
        Role.EventTeam => Membership.Team(userId, OrganizationId!.Value, EventId!.Value),
        _ => Membership.Ops(userId),
    };

    public static DomainException Invalid() =>
        new(ErrorCodes.InvitationInvalid, "This link is not valid any more: it was used already, it expired, or it was never issued. Ask for a new one.");

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>An address as people type it: one @, no spaces, brackets or quotes, and a dotted host name.</summary>
    public static bool IsEmail(string? email) => email is { Length: > 2 and <= 256 } && EmailPattern().IsMatch(email);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^\s@<>()\[\]\\,;:""\p{C}]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex EmailPattern();
}
