using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>Collects per-field errors so a request is refused whole, with every reason at once.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public void Capture(Action rule)
    {
        try
        {
            rule();
        }
        catch (DomainException ex) when (ex.Code == ErrorCodes.Validation)
        {
            foreach (var (field, messages) in ex.Errors)
            {
                foreach (var message in messages)
                {
                    Add(field, message);
                }
            }
        }
    }

    public void RequireKey(string? key, string field = "idempotencyKey")
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            Add(field, "An idempotency key is required so that a retry never records twice.");
        }
        else if (!IsKey(key))
        {
            Add(field, $"The idempotency key must be 1 to {MaxKeyLength} printable characters.");
        }
    }

    public const int MaxKeyLength = 200;

    /// <summary>What an idempotency key may be: printable, at most <see cref="MaxKeyLength"/> characters.</summary>
    public static bool IsKey(string? key) => Text.IsPrintable(key, MaxKeyLength);

    public void ThrowIfInvalid()
    {
        if (IsValid)
        {
            return;
        }

        var first = _errors.First();
        throw new DomainException(ErrorCodes.Validation, first.Value[0],
            _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>A refusal of one field.</summary>
    public static DomainException Invalid(string field, string message) =>
        new(ErrorCodes.Validation, message, new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static DomainException NotFound(string what) => new(ErrorCodes.NotFound, what + " was not found.");
}
