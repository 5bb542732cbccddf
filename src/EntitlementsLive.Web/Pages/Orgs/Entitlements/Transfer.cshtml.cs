using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The transfer flow (<see cref="TransferForm"/>): choose, confirm (final), record once under the form's key, land on the event.</summary>
public sealed class TransferModel(CurrentUser me, TransferFormQuery forms, TransferToEvent transfer) : OrgPageModel
{
    [BindProperty(SupportsGet = true)] public int EventId { get; set; }
    [BindProperty(SupportsGet = true, Name = "product")] public string? ProductCode { get; set; }
    [BindProperty] public int? Quantity { get; set; }
    [BindProperty] public string IdempotencyKey { get; set; } = "";

    public TransferForm Form { get; private set; } = null!;

    public bool Confirming { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        (IdempotencyKey, (ProductCode, Quantity)) = (Guid.NewGuid().ToString("N"), Form.Opening(ProductCode, Quantity));
    }

    public async Task OnPostReviewAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        Confirming = (Error = Form.Refusal(ProductCode, Quantity, IdempotencyKey)) is null;
    }

    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        TempData["Transferred"] = Form.Transferred((await transfer.Handle(OrgId, EventId, new TransferRequest(ProductCode, Quantity, IdempotencyKey), me.Actor, ct)).Transaction);
        return RedirectToPage("/Orgs/Events/Event", null, new { orgId = OrgId, eventId = EventId }, "entitlements");
    }

    protected override async Task ReloadAsync(CancellationToken ct) => Form = await forms.For(OrgId, EventId, ProductCode, ct);
}
