using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The transfer flow: choose, confirm (transfers are final), record once, land on the event's details.</summary>
public sealed class TransferModel(CurrentUser me, TransferFormQuery forms, TransferToEvent transfer) : OrgPageModel
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

    public TransferForm Form { get; private set; } = null!;

    public bool Confirming { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Form = await forms.For(OrgId, EventId, ProductCode, ct);
        (IdempotencyKey, ProductCode) = (Guid.NewGuid().ToString("N"), Form.Preselect(ProductCode));
        Quantity = Form.PoolOf(ProductCode) is { Kind: ProductKind.Subscription } pool ? (int)Form.DefaultQuantity(pool) : Quantity;
    }

    public async Task OnPostReviewAsync(CancellationToken ct)
    {
        Form = await forms.For(OrgId, EventId, ProductCode, ct);
        Error = Form.Refusal(ProductCode, Quantity, IdempotencyKey);
        Confirming = Error is null;
    }

    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken ct)
    {
        Form = await forms.For(OrgId, EventId, ProductCode, ct);
        var result = await transfer.Handle(OrgId, EventId, new TransferRequest(ProductCode, Quantity, IdempotencyKey), me.Actor, ct);
        TempData["Transferred"] = $"{Names.Quantity(result.Transaction.Quantity, result.Transaction.ProductName, Form.PoolOf(ProductCode)?.Kind ?? ProductKind.Subscription)} transferred to {Form.Event.Name}.";
        return Redirect($"/Orgs/{OrgId}/Events/{EventId}#entitlements");
    }

    /// <summary>Nothing was recorded: the refusal is said with the choices still there, the pools re-read for fresh figures.</summary>
    protected override async Task ReloadAsync(CancellationToken ct) => Form = await forms.For(OrgId, EventId, ProductCode, ct);
}
