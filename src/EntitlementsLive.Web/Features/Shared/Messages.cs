using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

// Hub messages of API.md. Each carries orgId and the sequence of the newest change it reflects, and
// "at": when the server recorded that change (stamped inside its transaction), for latency figures.

public abstract record LiveMessage
{
    public DateTime At { get; init; }
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
