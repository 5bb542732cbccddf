using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// A participant-change batch, stored durably before it is acknowledged: the source of truth for the
/// jobs, so a restart (with in-memory Hangfire storage) loses nothing.
/// </summary>
public sealed class ParticipantBatch
{
    public string Id { get; set; } = "";

    public int OrganizationId { get; set; }

    public int EventId { get; set; }

    public BatchStatus Status { get; set; } = BatchStatus.Accepted;

    public int Received { get; set; }

    public int Applied { get; set; }

    public int Duplicates { get; set; }

    public string? Error { get; set; }

    /// <summary>Who sent it: a user's email, an integration key's name, or a CSV upload.</summary>
    public string Source { get; set; } = "";

    public string? JobId { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A batch's validated changes as UTF-8 JSON, written once with the batch and never changed. They are kept apart from
/// the batch's row, which changes as the batch is applied: on SQLite, updating a row rewrites all of it, and with the
/// changes inside that was a megabyte per status update.
/// </summary>
public sealed class ParticipantBatchChanges
{
    public string BatchId { get; set; } = "";

    public byte[] Changes { get; set; } = [];
}

/// <summary>An organization's key for its registration system. Only a hash of the secret is kept.</summary>
public sealed class IntegrationKey
{
    public int Id { get; set; }

    public int OrganizationId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The public part of the key, to find the row without scanning.</summary>
    public string Prefix { get; set; } = "";

    public string SecretHash { get; set; } = "";

    public string CreatedBy { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    /// <summary>What the key may do.</summary>
    public List<IntegrationScope> Scopes { get; set; } = [IntegrationScope.ParticipantChanges];
}

/// <summary>
/// An organization's webhook: where to send which events. The signing secret is kept protected by the app's data
/// protection keys (it must be readable to sign), and shown to the administrator once.
/// </summary>
public sealed class WebhookEndpoint
{
    public int Id { get; set; }

    public int OrganizationId { get; set; }

    public string Url { get; set; } = "";

    /// <summary>The event types it subscribes to, comma-separated (alert.raised, alert.resolved, …).</summary>
    public string Events { get; set; } = "";

    public string ProtectedSecret { get; set; } = "";

    public string CreatedBy { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? DeletedAt { get; set; }
}

public enum DeliveryStatus
{
    Pending = 0,
    Succeeded = 1,
    Failed = 2,
}

/// <summary>
/// One event for one webhook, created from the outbox (once: unique per endpoint and outbox sequence) and sent by a job
/// with back-off until it succeeds or its 24 hours run out. Redelivering starts it again with the same id.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public int OrganizationId { get; set; }

    public int EndpointId { get; set; }

    /// <summary>The outbox message it carries: the Standard Webhooks message id is derived from it.</summary>
    public long Sequence { get; set; }

    public string EventType { get; set; } = "";

    public string Payload { get; set; } = "";

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Retries stop after this instant (24 hours from creation or from a redelivery).</summary>
    public DateTime GiveUpAt { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public string? JobId { get; set; }

    /// <summary>While an attempt runs: it owns the delivery until then, so no two attempts ever send it at once.</summary>
    public DateTime? LeaseUntil { get; set; }
}

/// <summary>Which notifications a user receives by mail; a user without a row has the defaults of <c>NotificationKinds</c>.</summary>
public sealed class NotificationSettings
{
    public string UserId { get; set; } = "";

    public bool AlertRaised { get; set; }

    public bool AlertResolved { get; set; }

    public bool Requests { get; set; }
}

/// <summary>
/// One notification owed to one user by mail, stored when its outbox message is drained (once per user and message: a
/// unique index, so a second drain or a second node adds nothing) and marked sent once the mail is out.
/// </summary>
public sealed class MailNotification
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public string Email { get; set; } = "";

    public int OrganizationId { get; set; }

    /// <summary>The outbox message it tells of.</summary>
    public long Sequence { get; set; }

    public string Kind { get; set; } = "";

    public string Text { get; set; } = "";

    /// <summary>The page that acts on it, relative to the app's address.</summary>
    public string Link { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>Who is sending it now (one sender at a time, whichever node), until <see cref="ClaimedUntil"/>.</summary>
    public string? ClaimToken { get; set; }

    public DateTime? ClaimedUntil { get; set; }

    public int Attempts { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>One attempt of a webhook delivery, kept (every one, not only the last) so an operator sees why earlier ones failed.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public long DeliveryId { get; set; }

    public DateTime At { get; set; }

    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    public int DurationMs { get; set; }
}

/// <summary>
/// A coverage plan as the administrator saw it, kept until it is executed (once) or goes stale: its request, the plan it
/// gave, and the key it was executed with, so a repeat answers the same transfers.
/// </summary>
public sealed class StoredCoveragePlan
{
    public string Id { get; set; } = "";

    public int OrganizationId { get; set; }

    /// <summary>The organization's last sequence when the plan was made.</summary>
    public long AtSequence { get; set; }

    /// <summary>What was asked (scope, products, events), as JSON: executing makes the plan again from it.</summary>
    public string Request { get; set; } = "";

    /// <summary>The plan shown (items, shortfall, pools after), as JSON.</summary>
    public string Plan { get; set; } = "";

    public string CreatedBy { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public string? ExecutionKey { get; set; }

    public string? ExecutedBy { get; set; }

    public DateTime? ExecutedAt { get; set; }
}
