using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops record a purchase from a contract, crediting an organization's pool.</summary>
public sealed class PurchasesModel(CurrentUser me, OrganizationQueries organizations, ProductCatalog catalog, RecordPurchase purchase) : PageModel
{
    [BindProperty]
    public int OrganizationId { get; set; }

    [BindProperty]
    public string? ProductCode { get; set; }

    [BindProperty]
    public long? Quantity { get; set; }

    [BindProperty]
    public string? Reference { get; set; }

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public IReadOnlyList<Organization> Organizations { get; private set; } = [];

    public IReadOnlyList<Product> Products { get; private set; } = [];

    public string? Error { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        IdempotencyKey = Guid.NewGuid().ToString("N");
        await Load(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var result = await purchase.Handle(OrganizationId, new PurchaseRequest(ProductCode, Quantity, Reference, IdempotencyKey), me.Actor, ct);
            var organization = (await organizations.Get(OrganizationId, ct)).Name;
            TempData["Recorded"] = FormattableString.Invariant($"Recorded {result.Transaction.Quantity:N0} {result.Transaction.ProductName} for {organization} ({result.Transaction.Reference}). Available now: {result.Transaction.BalanceAfter:N0}.");
            return RedirectToPage();
        }
        catch (DomainException ex)
        {
            Error = ex.Message;
            Errors = ex.Errors;
            await Load(ct);
            return Page();
        }
    }

    private async Task Load(CancellationToken ct)
    {
        Organizations = await organizations.All(ct);
        Products = await catalog.List(ct);
    }
}
