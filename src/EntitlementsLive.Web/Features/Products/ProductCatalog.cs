using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Products;

/// <summary>The products an organization can buy: the built-ins (seeded by the migration) and any Ops added.</summary>
public sealed class ProductCatalog(AppDbContext db)
{
    /// <summary>Subscriptions first, then modules, each by name.</summary>
    public async Task<IReadOnlyList<Product>> List(CancellationToken ct) =>
        (await Snapshots.ProductsAsync(db, ct)).Values.OrderBy(p => p.Kind).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
}
