namespace EntitlementsLive.Domain;

public sealed class Organization
{
    public Organization(string name, bool entitlementsActivated)
    {
        Name = name;
        EntitlementsActivated = entitlementsActivated;
    }

    public int Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Rule 8: entitlements work only for organizations where they are activated.</summary>
    public bool EntitlementsActivated { get; private set; }

    /// <summary>The newest outbox sequence of this organization; outbox rows are numbered from it, gap-free.</summary>
    public long LastSequence { get; private set; }

    public bool AutoCoverEnabled { get; private set; }

    public void SetAutoCover(bool enabled) => AutoCoverEnabled = enabled;
}

/// <summary>An organization's balance of one product. Rule 4: available = purchased − transferred, never negative.</summary>
public sealed class Pool
{
    public Pool(int organizationId, string productCode)
    {
        OrganizationId = organizationId;
        ProductCode = productCode;
    }

    public int OrganizationId { get; private set; }

    public string ProductCode { get; private set; }

    public long Purchased { get; private set; }

    public long Transferred { get; private set; }

    public long Available { get; private set; }

    public void Credit(long quantity)
    {
        if (quantity <= 0)
        {
            throw DomainException.Validation("quantity", "The quantity must be a positive whole number.");
        }

        Purchased += quantity;
        Available += quantity;
    }

    /// <summary>The in-memory form of the guard the database applies with a conditional update.</summary>
    public void Withdraw(long quantity)
    {
        if (quantity <= 0)
        {
            throw DomainException.Validation("quantity", "The quantity must be a positive whole number.");
        }

        if (quantity > Available)
        {
            throw InsufficientBalance(ProductCode, quantity, Available);
        }

        Transferred += quantity;
        Available -= quantity;
    }

    public static DomainException InsufficientBalance(string productCode, long requested, long available) =>
        new(ErrorCodes.InsufficientBalance,
            $"Only {available} {productCode} available in the pool; {requested} requested. Nothing was transferred.");
}
