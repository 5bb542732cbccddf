using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

public sealed class Organization
{
    private static readonly Func<Organization, bool> EntitlementsWorkCompiled = EntitlementsWork.Compile();

    public Organization(string name, bool entitlementsActivated)
    {
        Name = name;
        EntitlementsActivated = entitlementsActivated;
    }

    /// <summary>A new customer, created by Ops: entitlements start deactivated (rule 8).</summary>
    public static Organization Create(string name, string creationKey)
    {
        var trimmed = name.Trim();
        if (!Text.IsPrintable(trimmed, 200))
        {
            throw DomainException.Validation("name", "Name the organization (1 to 200 printable characters).");
        }

        return new Organization(trimmed, entitlementsActivated: false) { CreationKey = creationKey };
    }

    /// <summary>The idempotency key of the request that created it, so a retry creates nothing twice.</summary>
    public string? CreationKey { get; private set; }

    /// <summary>Ops turn entitlements on or off; every row is kept either way.</summary>
    public void Activate(bool activated) => EntitlementsActivated = activated;

    public int Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Rule 8: entitlements work only for organizations where they are activated.</summary>
    public bool EntitlementsActivated { get; private set; }

    /// <summary>Rule 8 as a query condition, for the screens that must not hear of an organization without entitlements.</summary>
    public static Expression<Func<Organization, bool>> EntitlementsWork => o => o.EntitlementsActivated;

    /// <summary>The newest outbox sequence of this organization; outbox rows are numbered from it, gap-free.</summary>
    public long LastSequence { get; private set; }

    public bool AutoCoverEnabled { get; private set; }

    public void SetAutoCover(bool enabled) => AutoCoverEnabled = enabled;

    /// <summary>Rule 13: how many days before its start a live event that is missing entitlements raises an alert.</summary>
    public int UncoveredSoonDays { get; private set; } = Alert.DefaultWindowDays;

    public void WarnUncoveredWithin(int days) => UncoveredSoonDays = days is >= Alert.MinWindowDays and <= Alert.MaxWindowDays
        ? days
        : throw DomainException.Validation("uncoveredSoonDays", $"uncoveredSoonDays must be between {Alert.MinWindowDays} and {Alert.MaxWindowDays}.");

    /// <summary>Rule 8: the one check that an organization's entitlements may be used.</summary>
    public Organization EnsureEntitlementsActivated() =>
        EntitlementsWorkCompiled(this)
            ? this
            : throw new DomainException(ErrorCodes.EntitlementsNotActivated,
                "Entitlements are not activated for your organization — contact your account manager.");
}

/// <summary>An organization's balance of one product. Rule 4: available = purchased − transferred, never negative.</summary>
public sealed class Pool
{
    public Pool(int organizationId, string productCode)
    {
        OrganizationId = organizationId;
        ProductCode = productCode;
    }

    /// <summary>A pool as stored, for the rules to decide on.</summary>
    public static Pool Of(int organizationId, string productCode, long purchased, long transferred, long available) =>
        new(organizationId, productCode) { Purchased = purchased, Transferred = transferred, Available = available };

    public int OrganizationId { get; private set; }

    public string ProductCode { get; private set; }

    public long Purchased { get; private set; }

    public long Transferred { get; private set; }

    public long Available { get; private set; }

    /// <summary>
    /// Rule 4: a withdrawal is allowed only while the balance covers it. The transfer form explains a refusal
    /// with it; the ledger's guarded update applies <see cref="Covers"/>, the same condition in SQL, so no
    /// concurrent writer can overdraw the pool.
    /// </summary>
    public static bool CanCover(long available, long quantity) => quantity > 0 && available >= quantity;

    /// <summary>Rule 4 as the guard of the pool's conditional update (and in memory, compiled).</summary>
    public static Expression<Func<Pool, bool>> Covers(long quantity) => Expressions.Bind(CoversRule, quantity);

    private static readonly Expression<Func<Pool, long, bool>> CoversRule = (p, quantity) => quantity > 0 && p.Available >= quantity;

    /// <summary>Rule 10 within rule 4: a correction may lower a pool, never below zero available.</summary>
    public static bool CanAdjust(long available, long quantity) => quantity != 0 && available + quantity >= 0;

    /// <summary>Rules 4 and 10 as the guard of a credit's conditional update: the pool stays at or above zero.</summary>
    public static Expression<Func<Pool, bool>> Accepts(long credit) => Expressions.Bind(AcceptsRule, credit);

    private static readonly Expression<Func<Pool, long, bool>> AcceptsRule = (p, credit) => credit != 0 && p.Available + credit >= 0;

    /// <summary>Rule 4: takes <paramref name="quantity"/> for a transfer, refused when the balance does not cover it.</summary>
    public PoolDebited Debit(long quantity)
    {
        if (!CanCover(Available, quantity))
        {
            throw InsufficientBalance(ProductCode, quantity, Available);
        }

        Transferred += quantity;
        Available -= quantity;
        return new PoolDebited(ProductCode, Purchased, Transferred, Available);
    }

    /// <summary>A purchase (positive) or an adjustment (signed, rule 10): refused when available would fall below zero.</summary>
    public PoolCredited Credit(long quantity)
    {
        if (!CanAdjust(Available, quantity))
        {
            throw AdjustmentRefused(ProductCode, quantity, Available);
        }

        Purchased += quantity;
        Available += quantity;
        return new PoolCredited(ProductCode, Purchased, Transferred, Available);
    }

    public static DomainException AdjustmentRefused(string productCode, long quantity, long available) =>
        new(ErrorCodes.InsufficientBalance,
            $"Only {available} {productCode} available in the pool; a correction of {quantity} would make it negative. Nothing was recorded.");

    public static DomainException InsufficientBalance(string productCode, long requested, long available) =>
        new(ErrorCodes.InsufficientBalance,
            $"Only {available} {productCode} available in the pool; {requested} requested. Nothing was transferred.");
}
