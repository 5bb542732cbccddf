using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

// Hub messages of API.md. Each carries orgId and the sequence of the newest change it reflects, and
// "at": when the server recorded that change (stamped inside its transaction), for latency figures.

public abstract record LiveMessage
{
    public DateTime At { get; init; }

    /// <summary>
    /// The sequence of the message pushed before this one to the same screens (an organization's managers, or one
    /// event's team), set when pushed; null when unknown (a replay, or the first push of a new drainer). A screen
    /// whose last sequence is below it missed a message (lost while Redis restarted, say) and resumes from there.
    /// </summary>
    public long? Previous { get; set; }
}

public sealed record PoolBalanceChangedMessage(
    int OrgId, long Sequence, string ProductCode, string ProductName, ProductKind Kind, long Purchased, long Transferred, long Available) : LiveMessage;

public sealed record EventCoverageChangedMessage(
    int OrgId,
    long Sequence,
    int EventId,
    string Name,
    EventStatus Status,
    bool Missing,
    int CountedParticipants,
    int ActivatedParticipants,
    IReadOnlyList<EventProductDto> Products,
    string? ExternalRef,
    ProductionStatus ProductionStatus) : LiveMessage;

public sealed record MissingEntitlementsChangedMessage(int OrgId, long Sequence, int LiveEventsMissing, int PastEventsMissing) : LiveMessage;

public sealed record TransactionRecordedMessage(int OrgId, long Sequence, TransactionDto Transaction) : LiveMessage;

/// <summary>AlertRaised and AlertResolved: the alert as the Alerts list shows it.</summary>
public sealed record AlertMessage(int OrgId, long Sequence, AlertDto Alert) : LiveMessage;

/// <summary>EntitlementRequestChanged: a request as its lists show it, to the organization's admins and the event's team.</summary>
public sealed record EntitlementRequestChangedMessage(int OrgId, long Sequence, RequestDto Request) : LiveMessage;

/// <summary>
/// Heartbeat (API.md): to screens that nothing was sent to for <c>Live:HeartbeatSeconds</c>, the latest sequence
/// pushed to them of each organization they follow (for an event's team, of their events' coverage). A screen whose
/// own last sequence is below a position lost a message on the way, and resumes from what it holds.
/// </summary>
public sealed record HeartbeatMessage(IReadOnlyList<HeartbeatPosition> Positions);

public sealed record HeartbeatPosition(int OrgId, long Sequence);
