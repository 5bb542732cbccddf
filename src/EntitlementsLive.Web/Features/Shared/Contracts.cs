using System.Text.Json;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

// The shapes of API.md, shared by the JSON API, the pages and the live messages.

public sealed record PoolDto(string ProductCode, string ProductName, ProductKind Kind, long Purchased, long Transferred, long Available);

public sealed record EventProductDto(string ProductCode, string ProductName, ProductKind Kind, long Required, long Allocated, long Missing);

public sealed record EventDto(
    int Id,
    string Name,
    DateTime StartsAt,
    DateTime EndsAt,
    EventStatus Status,
    bool Missing,
    int CountedParticipants,
    int ActivatedParticipants,
    IReadOnlyList<EventProductDto> Products,
    string? ExternalRef,
    ProductionStatus ProductionStatus,
    string TimeZone);

public sealed record TransactionDto(
    long Id,
    long Sequence,
    LedgerKind Kind,
    string ProductCode,
    string ProductName,
    long Quantity,
    int? EventId,
    string? EventName,
    string Actor,
    DateTime CreatedAt,
    string? Reference,
    long BalanceAfter,
    string? Reason = null)
{
    /// <summary>The entry's effect on the pool's available balance, signed (screens show it as is).</summary>
    public long PoolChange => LedgerEntry.PoolEffect(Kind, Quantity);
}

public sealed record MissingCounts(int LiveEventsMissing, int PastEventsMissing);

public static class Names
{
    /// <summary>An enum as the JSON contract spells it (see <see cref="JsonContract"/>), for pages and exports.</summary>
    public static string Of<T>(T value) where T : struct, Enum => Spelling<T>.Names.TryGetValue(value, out var name) ? name : Spell(value);

    /// <summary>A ledger entry's kind as people read it.</summary>
    public static string Label(LedgerKind kind) => kind switch
    {
        LedgerKind.Purchase => "Purchase",
        LedgerKind.Transfer => "Transfer",
        _ => "Adjustment",
    };

    /// <summary>
    /// A quantity of a product in words: "1 Subscription", "28 Subscriptions"; a module is held once, so its name alone.
    /// </summary>
    public static string Quantity(long quantity, string productName, ProductKind kind = ProductKind.Subscription)
    {
        if (kind == ProductKind.Module && Math.Abs(quantity) == 1)
        {
            return productName;
        }

        var count = quantity.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        return Math.Abs(quantity) == 1 || productName.EndsWith('s') ? $"{count} {productName}" : $"{count} {productName}s";
    }

    /// <summary>A signed figure with its sign always shown (and a true minus sign).</summary>
    public static string WithSign(long value) => (value < 0 ? "−" : "+") + Math.Abs(value).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A role as people read it.</summary>
    public static string Label(Role role) => role switch
    {
        Role.OrganizationAdministrator => "Organization Administrator",
        Role.EntitlementManager => "Entitlement Manager",
        Role.EventTeam => "Event team",
        _ => "Ops",
    };

    /// <summary>Reads an enum spelled exactly as the contract spells it; numbers, other cases and unknown names are refused.</summary>
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Spelling<T>.Values.TryGetValue(text, out value);
    }

    private static string Spell<T>(T value) where T : struct, Enum => JsonContract.EnumNames.ConvertName(value.ToString());

    /// <summary>Each enum's spellings, computed once: parsing runs for every row of a participant batch.</summary>
    private static class Spelling<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> Names = Enum.GetValues<T>().Distinct().ToDictionary(v => v, Spell);

        public static readonly Dictionary<string, T> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}

public sealed record AlertDto(long Id, AlertKind Kind, string? ProductCode, int? EventId, long? Level, DateTime RaisedAt, DateTime? ResolvedAt, string Message)
{
    public static AlertDto Of(Alert a) => new(a.Id, a.Kind, a.ProductCode, a.EventId, a.Level, a.RaisedAt, a.ResolvedAt, a.Message);
}

/// <summary>Who asked or answered, as a request shows them.</summary>
public sealed record PersonDto(string Name, string Email);

/// <summary>An entitlement request as the contract spells it.</summary>
public sealed record RequestDto(
    long Id,
    int EventId,
    string EventName,
    PersonDto RequestedBy,
    string? Note,
    IReadOnlyList<PlanShortfall> Missing,
    RequestStatus Status,
    PersonDto? ResolvedBy,
    DateTime? ResolvedAt,
    string? Reason,
    DateTime CreatedAt)
{
    public static RequestDto Of(EntitlementRequest r, string eventName) => new(r.Id, r.EventId, eventName, new PersonDto(r.RequestedByName, r.RequestedByEmail),
        r.Note, r.Missing, r.Status, r.ResolvedByName is null ? null : new PersonDto(r.ResolvedByName, r.ResolvedByEmail ?? ""), r.ResolvedAt, r.Reason, r.CreatedAt);
}
