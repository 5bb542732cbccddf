using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>The outbox rows of each hub message, built one way for every use case.</summary>
public static class LiveMessages
{
    public static OutboxMessage Transaction(int organizationId, long sequence, TransactionDto transaction, DateTime now) =>
        OutboxWriter.Message(organizationId, sequence, MessageTypes.TransactionRecorded, OutboxWriter.TransactionKey, null,
            new TransactionRecordedMessage(organizationId, sequence, transaction), now);

    public static OutboxMessage Pool(int organizationId, long sequence, PoolDto pool, DateTime now) =>
        OutboxWriter.Message(organizationId, sequence, MessageTypes.PoolBalanceChanged, OutboxWriter.PoolKey(pool.ProductCode), null,
            new PoolBalanceChangedMessage(organizationId, sequence, pool.ProductCode, pool.ProductName, pool.Kind, pool.Purchased, pool.Transferred, pool.Available), now);

    public static OutboxMessage Coverage(int organizationId, long sequence, EventDto c, DateTime now) =>
        OutboxWriter.Message(organizationId, sequence, MessageTypes.EventCoverageChanged, OutboxWriter.EventKey(c.Id), c.Id,
            new EventCoverageChangedMessage(organizationId, sequence, c.Id, c.Name, c.Status, c.Missing, c.CountedParticipants, c.ActivatedParticipants, c.Products, c.ExternalRef, c.ProductionStatus), now);

    public static OutboxMessage Alert(int organizationId, long sequence, AlertDto alert, DateTime now) =>
        OutboxWriter.Message(organizationId, sequence, alert.ResolvedAt is null ? MessageTypes.AlertRaised : MessageTypes.AlertResolved,
            OutboxWriter.AlertKey, alert.EventId, new AlertMessage(organizationId, sequence, alert), now);

    public static OutboxMessage Missing(int organizationId, long sequence, MissingCounts counts, DateTime now) =>
        OutboxWriter.Message(organizationId, sequence, MessageTypes.MissingEntitlementsChanged, OutboxWriter.OrganizationKey, null,
            new MissingEntitlementsChangedMessage(organizationId, sequence, counts.LiveEventsMissing, counts.PastEventsMissing), now);
}
