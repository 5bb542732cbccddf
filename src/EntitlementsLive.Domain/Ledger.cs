namespace EntitlementsLive.Domain;

public enum LedgerKind
{
    Purchase = 0,
    Transfer = 1,

    /// <summary>Rule 10: a compensating entry that corrects a purchase recorded wrong (never an edit).</summary>
    Adjustment = 2,
}

/// <summary>Rule 5: transfers are final. The database refuses UPDATE and DELETE on ledger rows with this message.</summary>
public static class Finality
{
    public const string Refusal = "ledger rows are final: no update, no delete";
}

/// <summary>
/// One final movement of entitlements (rule 5). Rows are only ever inserted: the database refuses
/// UPDATE and DELETE on this table.
/// </summary>
public sealed class LedgerEntry
{
    private LedgerEntry() { }

    public long Id { get; private set; }

    public int OrganizationId { get; private set; }

    /// <summary>The organization's outbox sequence of the change that recorded this row.</summary>
    public long Sequence { get; private set; }

    public LedgerKind Kind { get; private set; }

    public string ProductCode { get; private set; } = "";

    public long Quantity { get; private set; }

    public int? EventId { get; private set; }

    public string Actor { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    public string? Reference { get; private set; }

    /// <summary>Why an adjustment was made (required for adjustments, absent otherwise).</summary>
    public string? Reason { get; private set; }

    /// <summary>The pool's available balance right after this row.</summary>
    public long BalanceAfter { get; private set; }

    public string IdempotencyKey { get; private set; } = "";

    /// <summary>What the request asked for, so a reused key with another request can be refused (rule 7).</summary>
    public string RequestFingerprint { get; private set; } = "";

    public static LedgerEntry Purchase(int organizationId, string productCode, long quantity, string actor, DateTime at,
        string reference, long balanceAfter, string idempotencyKey, long sequence) => new()
    {
        OrganizationId = organizationId,
        Kind = LedgerKind.Purchase,
        ProductCode = productCode,
        Quantity = quantity,
        Actor = actor,
        CreatedAt = at,
        Reference = reference,
        BalanceAfter = balanceAfter,
        IdempotencyKey = idempotencyKey,
        RequestFingerprint = PurchaseFingerprint(productCode, quantity, reference),
        Sequence = sequence,
    };

    public static LedgerEntry Transfer(int organizationId, int eventId, string productCode, long quantity, string actor,
        DateTime at, long balanceAfter, string idempotencyKey, long sequence) => new()
    {
        OrganizationId = organizationId,
        Kind = LedgerKind.Transfer,
        ProductCode = productCode,
        Quantity = quantity,
        EventId = eventId,
        Actor = actor,
        CreatedAt = at,
        BalanceAfter = balanceAfter,
        IdempotencyKey = idempotencyKey,
        RequestFingerprint = TransferFingerprint(eventId, productCode, quantity),
        Sequence = sequence,
    };

    /// <summary>The most one purchase or one correction may move.</summary>
    public const long MaxCredit = 10_000_000;

    public const int MaxReasonLength = 500;

    /// <summary>Rule 10: a correction is signed (up or down), never zero, at most <see cref="MaxCredit"/> either way.</summary>
    public static string? AdjustmentQuantityRefusal(long? quantity) => quantity is not { } q || q == 0 || Math.Abs(q) > MaxCredit
        ? FormattableString.Invariant($"The correction is a whole number between -{MaxCredit:N0} and {MaxCredit:N0}, not zero (negative lowers the pool).")
        : null;

    /// <summary>Rule 10: every correction says why.</summary>
    public static string? AdjustmentReasonRefusal(string? reason) => Text.IsPrintable(reason?.Trim(), MaxReasonLength)
        ? null
        : FormattableString.Invariant($"Say why the purchase is corrected (1 to {MaxReasonLength} printable characters).");

    /// <summary>Rule 10: <paramref name="quantity"/> is signed (a correction up or down) and never zero; a reason is required.</summary>
    public static LedgerEntry Adjustment(int organizationId, string productCode, long quantity, string actor, DateTime at,
        string reason, string reference, long balanceAfter, string idempotencyKey, long sequence)
    {
        if (AdjustmentQuantityRefusal(quantity) is { } quantityRefusal)
        {
            throw DomainException.Validation("quantity", quantityRefusal);
        }

        if (AdjustmentReasonRefusal(reason) is { } reasonRefusal)
        {
            throw DomainException.Validation("reason", reasonRefusal);
        }

        return new()
        {
            OrganizationId = organizationId,
            Kind = LedgerKind.Adjustment,
            ProductCode = productCode,
            Quantity = quantity,
            Actor = actor,
            CreatedAt = at,
            Reason = reason,
            Reference = reference,
            BalanceAfter = balanceAfter,
            IdempotencyKey = idempotencyKey,
            RequestFingerprint = AdjustmentFingerprint(productCode, quantity, reason, reference),
            Sequence = sequence,
        };
    }

    public static string AdjustmentFingerprint(string productCode, long quantity, string reason, string reference) =>
        FormattableString.Invariant($"adjustment|{productCode}|{quantity}|{reference}|{reason}");

    /// <summary>How an entry moves its pool's available balance: a purchase adds, a transfer takes, an adjustment either.</summary>
    public static long PoolEffect(LedgerKind kind, long quantity) => kind == LedgerKind.Transfer ? -quantity : quantity;

    public static string TransferFingerprint(int eventId, string productCode, long quantity) =>
        FormattableString.Invariant($"transfer|{eventId}|{productCode}|{quantity}");

    public static string PurchaseFingerprint(string productCode, long quantity, string reference) =>
        FormattableString.Invariant($"purchase|{productCode}|{quantity}|{reference}");

    /// <summary>
    /// The unit of work numbers a new entry with the sequence of the change that records it, just before inserting it;
    /// a recorded entry is final and keeps its number.
    /// </summary>
    public void Number(long sequence)
    {
        if (Id != 0)
        {
            throw new InvalidOperationException(Finality.Refusal);
        }

        Sequence = sequence;
    }

    /// <summary>The store gives the inserted entry its id, once.</summary>
    public void Recorded(long id)
    {
        if (Id != 0)
        {
            throw new InvalidOperationException(Finality.Refusal);
        }

        Id = id;
    }

    /// <summary>Rule 7: the same key with the same request is the same effect; with another request it is refused.</summary>
    public void EnsureSameRequest(string fingerprint)
    {
        if (!string.Equals(RequestFingerprint, fingerprint, StringComparison.Ordinal))
        {
            throw new DomainException(ErrorCodes.IdempotencyKeyReused,
                "This idempotency key was already used for a different request. Nothing was recorded.");
        }
    }
}
