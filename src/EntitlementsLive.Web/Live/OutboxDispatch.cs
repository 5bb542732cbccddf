using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Live;

/// <summary>Turns outbox rows into typed hub calls, and coalesces state messages (the newest per key wins).</summary>
public static class OutboxDispatch
{
    /// <summary>Sends one row; <paramref name="previous"/> is the sequence pushed before it to the same screens (null on a replay).</summary>
    public static Task SendAsync(IEntitlementsClient client, OutboxMessage row, long? previous = null) => row.Type switch
    {
        MessageTypes.PoolBalanceChanged => client.PoolBalanceChanged(Read<PoolBalanceChangedMessage>(row, previous)),
        MessageTypes.EventCoverageChanged => client.EventCoverageChanged(Read<EventCoverageChangedMessage>(row, previous)),
        MessageTypes.MissingEntitlementsChanged => client.MissingEntitlementsChanged(Read<MissingEntitlementsChangedMessage>(row, previous)),
        MessageTypes.TransactionRecorded => client.TransactionRecorded(Read<TransactionRecordedMessage>(row, previous)),
        MessageTypes.AlertRaised => client.AlertRaised(Read<AlertMessage>(row, previous)),
        MessageTypes.AlertResolved => client.AlertResolved(Read<AlertMessage>(row, previous)),
        MessageTypes.EntitlementRequestChanged => client.EntitlementRequestChanged(Read<EntitlementRequestChangedMessage>(row, previous)),
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

    private static T Read<T>(OutboxMessage row, long? previous)
        where T : LiveMessage
    {
        var message = JsonSerializer.Deserialize<T>(row.Payload, OutboxWriter.Json) ?? throw new InvalidOperationException("Empty outbox payload " + row.Id);
        message.Previous = previous;
        return message;
    }
}
