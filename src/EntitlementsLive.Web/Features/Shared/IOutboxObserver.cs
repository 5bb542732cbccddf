namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Sees every committed outbox row, uncoalesced, as the notifier drains it (webhooks are queued this way). Runs before
/// the drained position moves, so a failure is retried with the same rows; it must be idempotent.
/// </summary>
public interface IOutboxObserver
{
    Task ObserveAsync(int organizationId, IReadOnlyList<Domain.OutboxMessage> rows, CancellationToken ct);
}
