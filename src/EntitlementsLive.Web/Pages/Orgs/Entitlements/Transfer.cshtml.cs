using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The transfer flow: choose, confirm (transfers are final), record once, land on the event's details.</summary>
public sealed class TransferModel(CurrentUser me, EventQueries events, PoolQueries pools, TransferToEvent transfer) : OrgPageModel
{
    [BindProperty(SupportsGet = true)]
    public int EventId { get; set; }

    [BindProperty(SupportsGet = true, Name = "product")]
    public string? ProductCode { get; set; }

    [BindProperty]
    public int? Quantity { get; set; }

    /// <summary>Rendered with the form, so a double click, a back button or a refresh records one transfer.</summary>
    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public EventDto Event { get; private set; } = null!;

    public IReadOnlyList<PoolDto> Pools { get; private set; } = [];

    public bool Confirming { get; private set; }

    public PoolDto? Selected => Pools.FirstOrDefault(p => p.ProductCode == ProductCode);

    public long MissingOf(string productCode) => Event.Products.FirstOrDefault(p => p.ProductCode == productCode)?.Missing ?? 0;

    public long AllocatedOf(string productCode) => Event.Products.FirstOrDefault(p => p.ProductCode == productCode)?.Allocated ?? 0;

    /// <summary>Rule 6 as the domain states it: a module the event already holds cannot be chosen.</summary>
    public bool EventHolds(PoolDto pool) => !EventProduct.AcceptsAllocation(pool.Kind, AllocatedOf(pool.ProductCode));

    /// <summary>The quantity the form proposes for a product, computed here so the script only shows it.</summary>
    public long DefaultQuantity(PoolDto pool) => TransferRules.DefaultQuantity(ProductOf(pool), MissingOf(pool.ProductCode), pool.Available);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await Load(ct);
        IdempotencyKey = Guid.NewGuid().ToString("N");
        if (Selected is null)
        {
            ProductCode = Pools.FirstOrDefault(p => MissingOf(p.ProductCode) > 0)?.ProductCode ?? (Pools.Count > 0 ? Pools[0].ProductCode : null);
        }

        if (Selected is { Kind: ProductKind.Subscription } pool)
        {
            Quantity = (int)DefaultQuantity(pool);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostReviewAsync(CancellationToken ct)
    {
        await Load(ct);
        Error = Check();
        Confirming = Error is null;
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken ct)
    {
        await Load(ct);
        var result = await transfer.Handle(OrgId, EventId, new TransferRequest(ProductCode, Quantity, IdempotencyKey), me.Actor, ct);
        TempData["Transferred"] = $"{Names.Quantity(result.Transaction.Quantity, result.Transaction.ProductName, Selected?.Kind ?? ProductKind.Subscription)} transferred to {Event.Name}.";
        return Redirect($"/Orgs/{OrgId}/Events/{EventId}#entitlements");
    }

    /// <summary>Nothing was recorded: the refusal is said with the choices still there, the pools re-read for fresh figures.</summary>
    protected override async Task ReloadAsync(CancellationToken ct) => Pools = await AvailablePools(ct);

    /// <summary>The event (an unknown one is the error page's 404) and the pools the form offers.</summary>
    private async Task Load(CancellationToken ct)
    {
        Event = await events.Coverage(OrgId, EventId, ct);
        Pools = await AvailablePools(ct);
    }

    private async Task<IReadOnlyList<PoolDto>> AvailablePools(CancellationToken ct) =>
        (await pools.List(OrgId, ct)).Where(p => p.Available > 0 || p.ProductCode == ProductCode).ToList();

    /// <summary>Early, friendly checks; the handler applies the same rules again when recording.</summary>
    private string? Check() => Selected is not { } pool
        ? "Choose one of your purchased products."
        : !Validation.IsKey(IdempotencyKey)
            ? "This form is out of date: open the transfer again from the event."
            : TransferRules.Refusal(ProductOf(pool), Quantity, pool.Available, AllocatedOf(pool.ProductCode), Event.Name);

    private static Product ProductOf(PoolDto pool) => new(pool.ProductCode, pool.ProductName, pool.Kind);
}
