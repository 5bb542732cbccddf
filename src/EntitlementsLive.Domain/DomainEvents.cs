namespace EntitlementsLive.Domain;

/// <summary>
/// What an aggregate reports it changed. The organization's unit of work numbers each one into the outbox rows the
/// screens receive, in the order they were raised, when it commits the change.
/// </summary>
public interface IDomainEvent;

/// <summary>A final ledger row (rule 5): the unit of work gives it its sequence and inserts it, the one way ledger rows are written.</summary>
public sealed record LedgerEntryRecorded(LedgerEntry Entry, string? EventName) : IDomainEvent;

/// <summary>A transfer took entitlements from the pool (rule 4); the figures are the pool's after it.</summary>
public sealed record PoolDebited(string ProductCode, long Purchased, long Transferred, long Available) : IDomainEvent;

/// <summary>A purchase or an adjustment credited the pool (rule 10); the figures are the pool's after it.</summary>
public sealed record PoolCredited(string ProductCode, long Purchased, long Transferred, long Available) : IDomainEvent;

/// <summary>
/// An event's coverage after a change. <paramref name="MissingCountsChanged"/>: it turned red or back, or moved from Live
/// to Past, so the organization's counts of missing events moved too.
/// </summary>
public sealed record CoverageChanged(Event Event, bool MissingCountsChanged) : IDomainEvent;

/// <summary>An alert crossed (rule 13): raised when it is open, resolved otherwise.</summary>
public sealed record AlertChanged(Alert Alert) : IDomainEvent;

/// <summary>An entitlement request was opened or changed state (rule 15).</summary>
public sealed record RequestChanged(EntitlementRequest Request, string EventName) : IDomainEvent;
