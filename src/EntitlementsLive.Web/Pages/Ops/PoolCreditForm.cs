using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Products;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>
/// What the Ops forms that move a pool share (a purchase, a correction): the organization, the product, the
/// quantity and reference, a key rendered with the form so a double submit records once, and a refusal shown
/// on the form with nothing recorded.
/// </summary>
public abstract class PoolCreditForm(OrganizationQueries organizations, ProductCatalog catalog) : AppPageModel
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

    public async Task OnGetAsync(CancellationToken ct)
    {
        IdempotencyKey = Guid.NewGuid().ToString("N");
        await Load(ct);
    }

    /// <summary>Records through the handler; its summary is shown after the redirect, a refusal on the form.</summary>
    protected async Task<IActionResult> Record(Func<Task<string>> record, CancellationToken ct)
    {
        TempData["Recorded"] = await record();
        return RedirectToPage();
    }

    /// <summary>Every refusal of a purchase or a correction is said on its form, the unknown organization included.</summary>
    protected override bool ShowsOnPage(DomainException refusal) => true;

    protected override Task ReloadAsync(CancellationToken ct) => Load(ct);

    protected async Task<string> OrganizationNameAsync(CancellationToken ct) => (await organizations.Get(OrganizationId, ct)).Name;

    private async Task Load(CancellationToken ct)
    {
        Organizations = await organizations.All(ct);
        Products = await catalog.List(ct);
    }
}
