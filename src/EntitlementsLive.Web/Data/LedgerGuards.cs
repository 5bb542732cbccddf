using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// The conditions of the ledger's guarded updates, translated from the domain's own expressions (<see cref="Pool.Covers"/>,
/// <see cref="Pool.Accepts"/>, <see cref="EventProduct.Accepts"/>) by EF Core once per provider, then run as plain
/// statements. Measured on this project's machine, EF Core's ExecuteUpdate costs about 0.45 ms a statement against 0.03 ms
/// for the same statement run plain, and a transfer is three of them: the translation is the part worth keeping, once.
/// </summary>
public static partial class LedgerGuards
{
    private static readonly ConcurrentDictionary<string, Guards> ByProvider = new(StringComparer.Ordinal);

    /// <summary>The statements of one provider, each taking the quantity as @value; an allocation's guard depends on the product's kind.</summary>
    public sealed record Guards(string Debit, string Credit, string AllocateSubscription, string AllocateModule)
    {
        public string Allocate(ProductKind kind) => kind == ProductKind.Module ? AllocateModule : AllocateSubscription;
    }

    public static Guards For(AppDbContext db) => ByProvider.GetOrAdd(db.Database.ProviderName ?? "", _ => new Guards(
        $"""UPDATE "Pools" SET "Available" = "Available" - @value, "Transferred" = "Transferred" + @value WHERE "OrganizationId" = @org AND "ProductCode" = @product AND ({Where(v => db.Pools.Where(Pool.Covers(v)))}) RETURNING "Purchased", "Transferred", "Available" """,
        $"""UPDATE "Pools" SET "Purchased" = "Purchased" + @value, "Available" = "Available" + @value WHERE "OrganizationId" = @org AND "ProductCode" = @product AND ({Where(v => db.Pools.Where(Pool.Accepts(v)))}) RETURNING "Purchased", "Transferred", "Available" """,
        Allocate(db, ProductKind.Subscription),
        Allocate(db, ProductKind.Module)));

    // The kind is known when the statement is chosen, so EF Core folds it: no condition for a subscription, "none held yet" for a module.
    private static string Allocate(AppDbContext db, ProductKind kind) =>
        $"""UPDATE "EventProducts" SET "Allocated" = "Allocated" + @value WHERE "EventId" = @event AND "ProductCode" = @product AND ({Clause(db.EventProducts.Where(EventProduct.Accepts(kind)).ToQueryString())})""";

    /// <summary>
    /// The WHERE clause EF Core writes for <paramref name="query"/>, without the table's alias and with its parameter
    /// named @value. Translated for two quantities (the handlers pass positive ones only): if the two differ, the value
    /// was inlined rather than bound, and the text could not serve every quantity, so it is refused.
    /// </summary>
    private static string Where<T>(Func<long, IQueryable<T>> query)
    {
        var first = Clause(query(3).ToQueryString());
        var second = Clause(query(5).ToQueryString());
        return first == second ? first : throw new InvalidOperationException($"The guard was translated with its value inlined: {first}");
    }

    private static string Clause(string sql)
    {
        var at = sql.LastIndexOf("WHERE ", StringComparison.Ordinal);
        if (at < 0)
        {
            // The rule holds for every row (a subscription accepts any allocation): EF Core writes no condition.
            return "1 = 1";
        }

        var where = sql[(at + "WHERE ".Length)..].Trim();
        return Parameter().Replace(Alias().Replace(where, ""), "@value");
    }

    [GeneratedRegex("""(?:"[a-z]"|\b[a-z])\.(?=")""")]
    private static partial Regex Alias();

    [GeneratedRegex("""@\w+""")]
    private static partial Regex Parameter();
}
