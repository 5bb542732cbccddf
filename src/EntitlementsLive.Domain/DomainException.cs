namespace EntitlementsLive.Domain;

/// <summary>A rule of the domain refused an operation. <see cref="Code"/> is stable and machine-readable.</summary>
public sealed class DomainException : Exception
{
    public DomainException(string code, string message, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message)
    {
        Code = code;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public DomainException() : this(ErrorCodes.Validation, "The request is invalid.") { }

    public DomainException(string message) : this(ErrorCodes.Validation, message) { }

    public DomainException(string message, Exception innerException) : base(message, innerException)
    {
        Code = ErrorCodes.Validation;
        Errors = new Dictionary<string, string[]>();
    }

    public string Code { get; }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public static DomainException Validation(string field, string message) =>
        new(ErrorCodes.Validation, message, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>The error codes of the public contract (API.md), kept in one place.</summary>
public static class ErrorCodes
{
    public const string Validation = "validation";
    public const string InsufficientBalance = "insufficient-balance";
    public const string ModuleAlreadyAllocated = "module-already-allocated";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string NotFound = "not-found";
    public const string EntitlementsNotActivated = "entitlements-not-activated";
    public const string Forbidden = "forbidden";
    public const string BatchTooLarge = "batch-too-large";
    public const string ProductExists = "product-exists";
    public const string InvitationInvalid = "invitation-invalid";
    public const string LastAdministrator = "last-administrator";
    public const string PlanStale = "plan-stale";
    public const string EventCovered = "event-covered";
    public const string RequestResolved = "request-resolved";
}
