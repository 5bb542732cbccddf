using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Products;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>The product catalog: the built-ins are always there; Ops add new products.</summary>
public sealed class ProductsModel(ProductCatalog catalog, AddProduct add) : PageModel
{
    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? ProductName { get; set; }

    [BindProperty]
    public string? Kind { get; set; } = "module";

    public IReadOnlyList<Product> Products { get; private set; } = [];

    public string? Error { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public async Task OnGetAsync(CancellationToken ct) => Products = await catalog.List(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var product = await add.Handle(new AddProductRequest(Code, ProductName, Kind), ct);
            TempData["Done"] = $"{product.Name} ({product.Code}) is in the catalog.";
            return RedirectToPage();
        }
        catch (DomainException ex) when (ex.Code is ErrorCodes.Validation or ErrorCodes.ProductExists)
        {
            (Error, Errors) = (ex.Message, ex.Errors);
            Products = await catalog.List(ct);
            return Page();
        }
    }
}
