namespace EntitlementsLive.Domain;

/// <summary>
/// A change a screen shows, written in the same transaction as the change, numbered per organization
/// without gaps, and pushed by the notifier once committed.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage() { }

    public OutboxMessage(int organizationId, long sequence, string type, string key, int? eventId, string payload, DateTime createdAt)
    {
        OrganizationId = organizationId;
        Sequence = sequence;
        Type = type;
        Key = key;
        EventId = eventId;
        Payload = payload;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }

    public int OrganizationId { get; private set; }

    public long Sequence { get; private set; }

    /// <summary>The hub message name (<see cref="MessageTypes"/>).</summary>
    public string Type { get; private set; } = "";

    /// <summary>What a newer state message replaces: the product, the event, or the organization.</summary>
    public string Key { get; private set; } = "";

    /// <summary>Set for event coverage, which that event's team may also see.</summary>
    public int? EventId { get; private set; }

    public string Payload { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }
}

public static class MessageTypes
{
    public const string PoolBalanceChanged = nameof(PoolBalanceChanged);
    public const string EventCoverageChanged = nameof(EventCoverageChanged);
    public const string MissingEntitlementsChanged = nameof(MissingEntitlementsChanged);
    public const string TransactionRecorded = nameof(TransactionRecorded);
    public const string AlertRaised = nameof(AlertRaised);
    public const string AlertResolved = nameof(AlertResolved);
    public const string EntitlementRequestChanged = nameof(EntitlementRequestChanged);

    /// <summary>What an event's team receives of its event (besides nothing else): its coverage and its requests.</summary>
    public static readonly IReadOnlyList<string> ForTeams = [EventCoverageChanged, EntitlementRequestChanged];

    public static bool ReachesTeams(string type) => ForTeams.Contains(type);

    /// <summary>Messages that are appended and never coalesced: each one tells something a screen must not miss.</summary>
    public static bool IsAppend(string type) => type is TransactionRecorded or AlertRaised or AlertResolved;
}
