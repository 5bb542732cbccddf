namespace EntitlementsLive.Domain;

public enum ProductKind
{
    Subscription = 0,
    Module = 1,
}

/// <summary>A product an organization can buy: per-participant subscriptions or an Advanced Module.</summary>
public sealed class Product
{
    public Product(string code, string name, ProductKind kind)
    {
        Code = code;
        Name = name;
        Kind = kind;
    }

    public string Code { get; private set; }

    public string Name { get; private set; }

    public ProductKind Kind { get; private set; }

    /// <summary>A product Ops add to the catalog: an upper-case code (letters, digits, underscores) and a name.</summary>
    public static Product Define(string? code, string? name, ProductKind kind)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (code is null || code.Length is < 2 or > 64 || !code.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_') || code[0] is < 'A' or > 'Z')
        {
            errors["code"] = ["The code is 2 to 64 upper-case letters, digits or underscores, starting with a letter (e.g. PHOTO_BOOTH)."];
        }

        var trimmed = name?.Trim();
        if (!Text.IsPrintable(trimmed, 200))
        {
            errors["name"] = ["Name the product (1 to 200 printable characters)."];
        }

        return errors.Count > 0
            ? throw new DomainException(ErrorCodes.Validation, errors.First().Value[0], errors)
            : new Product(code!, trimmed!, kind);
    }

    /// <summary>Rule 6: subscriptions move in a chosen positive quantity; a module moves one at a time.</summary>
    public int ValidateTransferQuantity(int? quantity)
    {
        if (Kind == ProductKind.Module)
        {
            if (quantity is not null)
            {
                throw DomainException.Validation("quantity", "A module is transferred one at a time: leave the quantity out.");
            }

            return 1;
        }

        if (quantity is null)
        {
            throw DomainException.Validation("quantity", "Choose how many subscriptions to transfer.");
        }

        if (quantity <= 0)
        {
            throw DomainException.Validation("quantity", "The quantity must be a positive whole number.");
        }

        return quantity.Value;
    }
}

public static class ProductCodes
{
    public const string Subscription = "SUBSCRIPTION";
    public const string LeadRetrieval = "LEAD_RETRIEVAL";
    public const string LiveStreaming = "LIVE_STREAMING";
    public const string Gamification = "GAMIFICATION";

    /// <summary>The built-in catalog: present in every database, demo data or not (seeded by the migration).</summary>
    public static IReadOnlyList<Product> BuiltIn() =>
    [
        new(Subscription, "Subscription", ProductKind.Subscription),
        new(LeadRetrieval, "Lead Retrieval", ProductKind.Module),
        new(LiveStreaming, "Live Streaming", ProductKind.Module),
        new(Gamification, "Gamification", ProductKind.Module),
    ];
}

/// <summary>
/// The rules a transfer must pass (rules 4 and 6), checked on figures already read so the transfer form can
/// explain a refusal before the confirmation step. The ledger applies the same rules again, guarded.
/// </summary>
public static class TransferRules
{
    /// <summary>Why the transfer would be refused, in the order the ledger decides: quantity, module-once, balance.</summary>
    public static string? Refusal(Product product, int? quantity, long available, long allocatedToEvent, string eventName)
    {
        int amount;
        try
        {
            amount = product.ValidateTransferQuantity(quantity);
        }
        catch (DomainException ex) when (ex.Code == ErrorCodes.Validation)
        {
            return ex.Message;
        }

        if (!EventProduct.AcceptsAllocation(product.Kind, allocatedToEvent))
        {
            return $"{eventName} already holds {product.Name}; a second one would waste a final transfer.";
        }

        if (!Pool.CanCover(available, amount))
        {
            return product.Kind == ProductKind.Module
                ? $"No {product.Name} left in your pool."
                : $"Only {available:N0} {product.Name} available in your pool.";
        }

        return null;
    }

    /// <summary>What the transfer form proposes: what the event is missing, within the balance (a module: one).</summary>
    public static long DefaultQuantity(Product product, long missing, long available) =>
        product.Kind == ProductKind.Module ? 1 : Math.Clamp(missing, Math.Min(1, available), Math.Max(available, 0));
}
