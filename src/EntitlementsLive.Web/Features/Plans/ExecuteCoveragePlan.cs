using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Plans;

public sealed record ExecutePlanRequest(string? IdempotencyKey);

/// <summary>The plan's transfers, and whether this call recorded them (false: a repeat with the same key).</summary>
public sealed record PlanExecution(IReadOnlyList<TransactionDto> Transactions, bool Created)
{
    /// <summary>What the page says once the plan is executed.</summary>
    public string Summary => Transactions.Count == 0
        ? "Nothing was missing: no transfer was needed."
        : FormattableString.CurrentCulture($"{Transactions.Count:N0} transfers recorded to {Transactions.Select(t => t.EventId).Distinct().Count():N0} events.");
}

/// <summary>
/// Executes a confirmed plan as one change of the organization: its transfers are ordinary final ledger rows (rules 4
/// to 7 each, through <see cref="TransferOrder"/>), committed together and pushed live together. Inside the change the
/// plan is made again from the figures of that moment; if it differs from what the administrator confirmed, nothing is
/// transferred and the plan is refused as stale. One key executes one plan once (rule 7).
/// </summary>
public sealed class ExecuteCoveragePlan(AppDbContext db, OrganizationWrite write)
{
    /// <param name="within">What else the change does once the plan is known to hold, before its transfers (an approval).</param>
    public async Task<PlanExecution> Handle(int organizationId, string planId, ExecutePlanRequest request, string actor, CancellationToken ct,
        Func<OrganizationChange, Task>? within = null)
    {
        var check = new Validation();
        check.RequireKey(request.IdempotencyKey);
        check.ThrowIfInvalid();
        var key = request.IdempotencyKey!;
        var stored = await db.CoveragePlans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId && p.OrganizationId == organizationId, ct)
                     ?? throw Validation.NotFound("The plan");
        var plan = PlanOf(stored);
        var scope = JsonSerializer.Deserialize<PlanScope>(stored.Request, MakeCoveragePlan.Json)!;
        if (stored.ExecutionKey != key)
        {
            var catalog = await Snapshots.ProductsAsync(db, ct);
            var recorded = await write.RunAsync(organizationId, change => ExecuteAsync(change, stored.Id, plan, scope, catalog, key, actor, within, ct), ct);
            if (recorded is not null)
            {
                return new PlanExecution(recorded.Select((entry, i) => LiveMessages.Transaction(entry, catalog[entry.ProductCode].Name, plan.Items[i].EventName)).ToList(), true);
            }
        }

        // Executed with this key already (before this call, or by a racing one): the same transfers.
        return new PlanExecution(await TransactionsOfAsync(db, organizationId, stored.Id, plan.Items.Count, ct), false);
    }

    /// <summary>The transfers an executed plan of <paramref name="count"/> items recorded, in their order.</summary>
    public static async Task<IReadOnlyList<TransactionDto>> TransactionsOfAsync(AppDbContext db, int organizationId, string planId, int count, CancellationToken ct)
    {
        var keys = Enumerable.Range(0, count).Select(i => ItemKey(planId, i)).ToList();
        var transactions = await Snapshots.Transactions(db, db.Ledger.Where(l => l.OrganizationId == organizationId && keys.Contains(l.IdempotencyKey))).ToListAsync(ct);
        return transactions.OrderBy(t => t.Sequence).ToList();
    }

    /// <summary>A stored plan as it was shown.</summary>
    public static CoveragePlan PlanOf(StoredCoveragePlan stored) => JsonSerializer.Deserialize<CoveragePlan>(stored.Plan, MakeCoveragePlan.Json)!;

    /// <summary>Each transfer's own key: a plan executes once, so its position in the plan is enough.</summary>
    public static string ItemKey(string planId, int index) => FormattableString.Invariant($"plan:{planId}:{index}");

    /// <summary>The transfers recorded, or null when the plan was executed with this key already.</summary>
    private static async Task<List<LedgerEntry>?> ExecuteAsync(OrganizationChange change, string planId, CoveragePlan plan, PlanScope scope,
        IReadOnlyDictionary<string, Product> catalog, string key, string actor, Func<OrganizationChange, Task>? within, CancellationToken ct)
    {
        var db = change.Db;
        var executedWith = await db.CoveragePlans.AsNoTracking().Where(p => p.Id == planId).Select(p => p.ExecutionKey).SingleAsync(ct);
        if (executedWith == key)
        {
            return null;
        }

        if (executedWith is not null)
        {
            throw CoveragePlan.AlreadyExecuted();
        }

        if (await db.CoveragePlans.AnyAsync(p => p.OrganizationId == change.OrganizationId && p.ExecutionKey == key, ct))
        {
            throw new DomainException(ErrorCodes.IdempotencyKeyReused, "This idempotency key already executed another plan. Nothing was transferred.");
        }

        if (!plan.SameAs(await CoverageNeeds.PlanAsync(db, change.OrganizationId, scope, change.Now, ct)))
        {
            throw CoveragePlan.Stale();
        }

        if (within is not null)
        {
            await within(change);
        }

        var entries = new List<LedgerEntry>(plan.Items.Count);
        for (var i = 0; i < plan.Items.Count; i++)
        {
            var item = plan.Items[i];
            entries.Add(await new TransferOrder(item.EventId, catalog[item.ProductCode], item.Quantity, actor, ItemKey(planId, i)).ApplyAsync(change, ct));
        }

        await db.CoveragePlans.Where(p => p.Id == planId && p.ExecutionKey == null).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.ExecutionKey, key)
            .SetProperty(p => p.ExecutedBy, actor)
            .SetProperty(p => p.ExecutedAt, change.Now), ct);
        return entries;
    }
}
