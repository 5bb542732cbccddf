using System.Text.Json;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The outbox's keys and its JSON. Rows are numbered and written by the organization's unit of work alone
/// (<see cref="Data.OrganizationWrite"/>), from the drafts of <see cref="LiveMessages"/>.
/// </summary>
public static class OutboxWriter
{
    public static readonly JsonSerializerOptions Json = JsonContract.Options;

    public static OutboxMessage Message<T>(int organizationId, long sequence, string type, string key, int? eventId, T payload, DateTime now)
        where T : LiveMessage =>
        new(organizationId, sequence, type, key, eventId, JsonSerializer.Serialize(payload with { At = now }, Json), now);

    public static string PoolKey(string productCode) => "pool:" + productCode;

    public static string EventKey(int eventId) => FormattableString.Invariant($"event:{eventId}");

    /// <summary>An event's request: the newest state of its latest request is what its banner shows.</summary>
    public static string RequestKey(int eventId) => FormattableString.Invariant($"request:{eventId}");

    public const string OrganizationKey = "org";

    /// <summary>Transactions are appended, never replaced; their key is never coalesced.</summary>
    public const string TransactionKey = "tx";

    /// <summary>Alerts are appended too: a raise and its resolution both reach the screen.</summary>
    public const string AlertKey = "alert";
}
