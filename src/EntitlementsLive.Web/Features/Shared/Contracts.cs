using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

// The shapes of API.md, shared by the JSON API, the pages and the live messages.

public sealed record PoolDto(string ProductCode, string ProductName, string Kind, long Purchased, long Transferred, long Available);

public sealed record EventProductDto(string ProductCode, string ProductName, string Kind, long Required, long Allocated, long Missing);

public sealed record EventDto(
    int Id,
    string Name,
    DateTime StartsAt,
    DateTime EndsAt,
    string Status,
    bool Missing,
    int CountedParticipants,
    int ActivatedParticipants,
    IReadOnlyList<EventProductDto> Products);

public sealed record TransactionDto(
    long Id,
    long Sequence,
    string Kind,
    string ProductCode,
    string ProductName,
    long Quantity,
    int? EventId,
    string? EventName,
    string Actor,
    DateTime CreatedAt,
    string? Reference,
    long BalanceAfter);

public sealed record MissingCounts(int LiveEventsMissing, int PastEventsMissing);

public static class Names
{
    public static string Kind(ProductKind kind) => kind == ProductKind.Module ? "module" : "subscription";

    public static string Status(EventStatus status) => status == EventStatus.Live ? "live" : "past";
}
