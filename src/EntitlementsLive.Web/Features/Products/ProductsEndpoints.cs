using EntitlementsLive.Web.Features.Access;

namespace EntitlementsLive.Web.Features.Products;

/// <summary>The products part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class ProductsEndpoints
{
    public static ApiGroups MapProducts(this ApiGroups groups)
    {
        var api = groups.Api;

        api.MapGet("/products", async (ProductCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok((await catalog.List(ct)).Select(AddProduct.ToDto)))
            .WithSummary("The product catalog: the built-in products and any Ops added.");

        api.MapPost("/products", async (AddProductRequest body, AddProduct add, CancellationToken ct) =>
        {
            var product = await add.Handle(body, ct);
            return TypedResults.Created($"/api/products/{product.Code}", product);
        }).RequireAuthorization(Policies.Ops).WithSummary("Ops: adds a product to the catalog.");

        return groups;
    }
}
