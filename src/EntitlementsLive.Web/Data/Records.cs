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

    /// <summary>The validated changes, as JSON.</summary>
    public string Changes { get; set; } = "";

    /// <summary>Who sent it: a user's email, an integration key's name, or a CSV upload.</summary>
    public string Source { get; set; } = "";

    public string? JobId { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
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
