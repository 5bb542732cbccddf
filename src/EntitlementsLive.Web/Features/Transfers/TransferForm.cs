using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Transfers;

/// <summary>
/// What the transfer form shows for one event: its coverage, the pools it may draw from (those with something left,
/// and the one asked for), and the form's own early rules, which the handler applies again when recording.
/// </summary>
public sealed record TransferForm(EventDto Event, IReadOnlyList<PoolDto> Pools)
{
    public PoolDto? PoolOf(string? productCode) => Pools.FirstOrDefault(p => p.ProductCode == productCode);

    public long MissingOf(string productCode) => Event.Products.FirstOrDefault(p => p.ProductCode == productCode)?.Missing ?? 0;

    public long AllocatedOf(string productCode) => Event.Products.FirstOrDefault(p => p.ProductCode == productCode)?.Allocated ?? 0;

    /// <summary>Rule 6 as the domain states it: a module the event already holds cannot be chosen.</summary>
    public bool EventHolds(PoolDto pool) => !EventProduct.AcceptsAllocation(pool.Kind, AllocatedOf(pool.ProductCode));

    /// <summary>The quantity the form proposes for a product, computed here so the script only shows it.</summary>
    public long DefaultQuantity(PoolDto pool) => TransferRules.DefaultQuantity(ProductOf(pool), MissingOf(pool.ProductCode), pool.Available);

    /// <summary>The product the form opens on: the one asked for, else the first the event misses, else the first pool.</summary>
    public string? Preselect(string? productCode) =>
        PoolOf(productCode)?.ProductCode ?? Pools.FirstOrDefault(p => MissingOf(p.ProductCode) > 0)?.ProductCode ?? (Pools.Count > 0 ? Pools[0].ProductCode : null);

    /// <summary>
    /// What the form opens on: the product <see cref="Preselect"/> chooses and, for a subscription, the quantity the event
    /// misses (at most what is left); otherwise the quantity asked for (a module is one).
    /// </summary>
    public (string? ProductCode, int? Quantity) Opening(string? productCode, int? quantity)
    {
        var chosen = Preselect(productCode);
        return (chosen, PoolOf(chosen) is { Kind: ProductKind.Subscription } pool ? (int)DefaultQuantity(pool) : quantity);
    }

    /// <summary>What the event page says once the transfer is recorded ("28 Subscriptions transferred to …").</summary>
    public string Transferred(TransactionDto transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var kind = PoolOf(transaction.ProductCode)?.Kind ?? ProductKind.Subscription;
        return $"{Names.Quantity(transaction.Quantity, transaction.ProductName, kind)} transferred to {Event.Name}.";
    }

    /// <summary>Why the reviewed transfer would be refused, said before the confirmation step; null when it may go on.</summary>
    public string? Refusal(string? productCode, int? quantity, string? idempotencyKey) => PoolOf(productCode) is not { } pool
        ? "Choose one of your purchased products."
        : !Validation.IsKey(idempotencyKey)
            ? "This form is out of date: open the transfer again from the event."
            : TransferRules.Refusal(ProductOf(pool), quantity, pool.Available, AllocatedOf(pool.ProductCode), Event.Name);

    private static Product ProductOf(PoolDto pool) => new(pool.ProductCode, pool.ProductName, pool.Kind);
}

/// <summary>The transfer form's one query: the event (an unknown one is a 404) and the pools it may draw from.</summary>
public sealed class TransferFormQuery(EventQueries events, PoolQueries pools)
{
    public async Task<TransferForm> For(int organizationId, int eventId, string? productCode, CancellationToken ct)
    {
        var coverage = await events.Coverage(organizationId, eventId, ct);
        var offered = (await pools.List(organizationId, ct)).Where(p => p.Available > 0 || p.ProductCode == productCode).ToList();
        return new TransferForm(coverage, offered);
    }
}
