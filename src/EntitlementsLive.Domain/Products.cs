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
}

/// <summary>
/// The rules a transfer must pass (rules 4 and 6), checked on figures already read: the transfer form
/// explains a refusal before the confirmation step; the ledger applies the same rules again, guarded.
/// </summary>
public static class TransferRules
{
    public static string? Refusal(Product product, int? quantity, long available, bool eventHoldsProduct, string eventName)
    {
        if (product.Kind == ProductKind.Module)
        {
            if (eventHoldsProduct)
            {
                return $"{eventName} already holds {product.Name}; a second one would waste a final transfer.";
            }

            return available < 1 ? $"No {product.Name} left in your pool." : null;
        }

        if (quantity is null or <= 0)
        {
            return "Enter how many subscriptions to transfer (a positive whole number).";
        }

        return quantity > available ? $"Only {available:N0} {product.Name} available in your pool." : null;
    }
}
