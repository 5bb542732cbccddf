using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Plans;

/// <summary>"Cover all missing" (no events named) or "Cover this event" (<c>eventIds: [id]</c>).</summary>
public sealed record CoveragePlanRequest(string? Scope, IReadOnlyList<string>? ProductCodes, IReadOnlyList<int>? EventIds);

/// <summary>A plan as shown before it is confirmed: nothing changed yet.</summary>
public sealed record CoveragePlanDto(
    string PlanId,
    long AtSequence,
    string Scope,
    IReadOnlyList<PlannedTransfer> Items,
    IReadOnlyList<PlanShortfall> Shortfall,
    IReadOnlyList<PoolAfterPlan> PoolsAfter,
    DateTime CreatedAt)
{
    public int EventCount => Items.Select(i => i.EventId).Distinct().Count();
}

/// <summary>
/// Computes a coverage plan and keeps it, so that executing it later can tell whether it still holds. Changes no pool,
/// no event and no ledger row.
/// </summary>
public sealed class MakeCoveragePlan(AppDbContext db, TimeProvider clock)
{
    /// <summary>More than this many events named is not "this event" any more: plan them all instead.</summary>
    public const int MaxNamed = 1_000;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CoveragePlanDto> Handle(int organizationId, CoveragePlanRequest request, string actor, CancellationToken ct)
    {
        var scope = await ValidateAsync(organizationId, request, ct);
        var now = clock.GetUtcNow().UtcDateTime;

        // The sequence first: whatever the plan reads is at least as new as it.
        var atSequence = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.LastSequence).SingleAsync(ct);
        var plan = await CoverageNeeds.PlanAsync(db, organizationId, scope, now, ct);
        var stored = new StoredCoveragePlan
        {
            Id = Guid.NewGuid().ToString("N"),
            OrganizationId = organizationId,
            AtSequence = atSequence,
            Request = JsonSerializer.Serialize(scope, Json),
            Plan = JsonSerializer.Serialize(plan, Json),
            CreatedBy = actor,
            CreatedAt = now,
        };
        db.CoveragePlans.Add(stored);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return ToDto(stored, scope, plan);
    }

    internal static CoveragePlanDto ToDto(StoredCoveragePlan stored, PlanScope scope, CoveragePlan plan) =>
        new(stored.Id, stored.AtSequence, scope.Name, plan.Items, plan.Shortfall, plan.PoolsAfter, stored.CreatedAt);

    private async Task<PlanScope> ValidateAsync(int organizationId, CoveragePlanRequest request, CancellationToken ct)
    {
        var check = new Validation();
        var scope = request.Scope ?? PlanScope.Live;
        if (scope is not (PlanScope.Live or PlanScope.All))
        {
            check.Add("scope", $"The scope is \"{PlanScope.Live}\" (live events) or \"{PlanScope.All}\" (live, then past events).");
        }

        var codes = (request.ProductCodes ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (codes.Count > 0)
        {
            var catalog = await Snapshots.ProductsAsync(db, ct);
            foreach (var code in codes.Where(c => c is null || !catalog.ContainsKey(c)))
            {
                check.Add("productCodes", $"There is no product {code}.");
            }
        }

        var ids = (request.EventIds ?? []).Distinct().ToList();
        if (ids.Count > MaxNamed)
        {
            check.Add("eventIds", $"Name at most {MaxNamed:N0} events, or none to plan every event.");
        }
        else if (ids.Count > 0)
        {
            var known = await db.Events.Where(e => e.OrganizationId == organizationId && ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
            foreach (var id in ids.Except(known))
            {
                check.Add("eventIds", $"There is no event {id} in this organization.");
            }
        }

        check.ThrowIfInvalid();
        return new PlanScope(scope == PlanScope.All, codes, ids);
    }
}
