using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Products;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>The product catalog: the built-ins are always there; Ops add new products.</summary>
public sealed class ProductsModel(ProductCatalog catalog, AddProduct add) : AppPageModel
{
    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? ProductName { get; set; }

    [BindProperty]
    public string? Kind { get; set; } = "module";

    public IReadOnlyList<Product> Products { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Products = await catalog.List(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var product = await add.Handle(new AddProductRequest(Code, ProductName, Kind), ct);
        TempData["Done"] = $"{product.Name} ({product.Code}) is in the catalog.";
        return RedirectToPage();
    }

    protected override Task ReloadAsync(CancellationToken ct) => OnGetAsync(ct);
}
