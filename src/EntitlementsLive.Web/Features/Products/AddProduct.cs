using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Products;

public sealed record AddProductRequest(string? Code, string? Name, string? Kind);

public sealed record ProductDto(string Code, string Name, ProductKind Kind);

/// <summary>Ops add a product to the catalog (the built-ins are always there); a code is never reused.</summary>
public sealed class AddProduct(AppDbContext db)
{
    public async Task<ProductDto> Handle(AddProductRequest request, CancellationToken ct)
    {
        var check = new Validation();
        Product? product = null;
        if (!Names.TryParse<ProductKind>(request.Kind, out var kind))
        {
            check.Add("kind", $"kind must be {string.Join(" or ", Enum.GetValues<ProductKind>().Select(Names.Of))}.");
        }

        check.Capture(() => product = Product.Define(request.Code, request.Name, kind));
        check.ThrowIfInvalid();
        if (await db.Products.AnyAsync(p => p.Code == product!.Code, ct))
        {
            throw new DomainException(ErrorCodes.ProductExists, $"There is already a product {product!.Code}; codes are never reused.");
        }

        db.Products.Add(product!);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        Snapshots.ForgetProducts(db);
        return ToDto(product!);
    }

    public static ProductDto ToDto(Product p) => new(p.Code, p.Name, p.Kind);
}
