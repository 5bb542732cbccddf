using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops correct a purchase recorded wrong (rule 10), through the same handler as the API.</summary>
public sealed class AdjustmentsModel(CurrentUser me, OrganizationQueries organizations, ProductCatalog catalog, RecordAdjustment adjust) : PageModel
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
    public string? Reason { get; set; }

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
            var result = await adjust.Handle(OrganizationId, new AdjustmentRequest(ProductCode, Quantity, Reason, Reference, IdempotencyKey), me.Actor, ct);
            var t = result.Transaction;
            TempData["Recorded"] = $"Correction of {Names.WithSign(t.PoolChange)} {t.ProductName} recorded ({t.Reference}). Available now: {t.BalanceAfter:N0}.";
            return RedirectToPage();
        }
        catch (DomainException ex) when (ex.Code is not ErrorCodes.NotFound)
        {
            (Error, Errors) = (ex.Message, ex.Errors);
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
