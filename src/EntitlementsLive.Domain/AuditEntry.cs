namespace EntitlementsLive.Domain;

/// <summary>The actions worth an audit trail that are not ledger entries (the ledger is its own trail).</summary>
public enum AuditAction
{
    IntegrationKeyCreated = 0,
    IntegrationKeyRevoked = 1,
    MembershipRoleChanged = 2,
    MembershipRemoved = 3,
    InvitationCreated = 4,
    InvitationAccepted = 5,
    PasswordResetIssued = 6,
    EntitlementsActivated = 7,
    EntitlementsDeactivated = 8,
    AutoCoverChanged = 9,
    WebhookCreated = 10,
    WebhookDeleted = 11,
    WebhookRedelivered = 12,
    RequestOpened = 13,
    RequestApproved = 14,
    RequestDeclined = 15,
    RequestFulfilled = 16,
}

/// <summary>
/// Who did what, when and from where, for an organization. Append-only like the ledger: the database refuses
/// UPDATE and DELETE on these rows.
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    public long Id { get; private set; }

    public int OrganizationId { get; private set; }

    public DateTime At { get; private set; }

    public string Actor { get; private set; } = "";

    /// <summary>The client address the request came from (empty for background work).</summary>
    public string From { get; private set; } = "";

    public AuditAction Action { get; private set; }

    /// <summary>What the action was about, in words (a key's name, a member's e-mail).</summary>
    public string Subject { get; private set; } = "";

    public string Details { get; private set; } = "";

    public static AuditEntry Record(int organizationId, DateTime at, string actor, string from, AuditAction action, string subject, string details) => new()
    {
        OrganizationId = organizationId, At = at, Actor = Clip(actor, 256), From = Clip(from, 64), Action = action,
        Subject = Clip(subject, 256), Details = Clip(details, 500),
    };

    public const string Refusal = "audit entries are final: no update, no delete";

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
