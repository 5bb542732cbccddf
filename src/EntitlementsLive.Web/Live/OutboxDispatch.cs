using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Live;

/// <summary>Turns outbox rows into typed hub calls, and coalesces state messages (the newest per key wins).</summary>
public static class OutboxDispatch
{
    public static Task SendAsync(IEntitlementsClient client, OutboxMessage row) => row.Type switch
    {
        MessageTypes.PoolBalanceChanged => client.PoolBalanceChanged(Read<PoolBalanceChangedMessage>(row)),
        MessageTypes.EventCoverageChanged => client.EventCoverageChanged(Read<EventCoverageChangedMessage>(row)),
        MessageTypes.MissingEntitlementsChanged => client.MissingEntitlementsChanged(Read<MissingEntitlementsChangedMessage>(row)),
        MessageTypes.TransactionRecorded => client.TransactionRecorded(Read<TransactionRecordedMessage>(row)),
        MessageTypes.AlertRaised => client.AlertRaised(Read<AlertMessage>(row)),
        MessageTypes.AlertResolved => client.AlertResolved(Read<AlertMessage>(row)),
        _ => Task.CompletedTask,
    };

    /// <summary>
    /// Keeps every transaction and only the newest state message of each key, in sequence order.
    /// State messages carry absolute figures, so nothing a screen needs is lost.
    /// </summary>
    public static List<OutboxMessage> Coalesce(IReadOnlyList<OutboxMessage> rows)
    {
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!MessageTypes.IsAppend(row.Type))
            {
                newest[row.Key] = row.Sequence;
            }
        }

        return rows.Where(r => MessageTypes.IsAppend(r.Type) || newest[r.Key] == r.Sequence).ToList();
    }

    private static T Read<T>(OutboxMessage row) =>
        JsonSerializer.Deserialize<T>(row.Payload, OutboxWriter.Json) ?? throw new InvalidOperationException("Empty outbox payload " + row.Id);
}
