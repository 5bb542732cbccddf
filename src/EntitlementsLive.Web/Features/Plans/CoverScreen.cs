using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Plans;

/// <summary>
/// "Cover all missing" and "Cover this event" as the page shows them: the plan to confirm, the catalog's names of its
/// products, the key its confirmation is recorded under (rendered with the plan, so a double click or a refresh
/// executes it once), and why the plan shown is not the one confirmed (it went stale) or nothing was transferred.
/// </summary>
public sealed record CoverScreen(CoveragePlanDto Plan, IReadOnlyDictionary<string, string> ProductNames, string IdempotencyKey, string? Notice)
{
    /// <summary>The Events tab's message (TempData) once a plan of all red events is executed.</summary>
    public const string Covered = "Covered";

    public string NameOf(string productCode) => ProductNames.GetValueOrDefault(productCode, productCode);

    /// <summary>What the page says above a plan made again after a refused confirmation (nothing was transferred).</summary>
    public static string NoticeAfter(DomainException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Code == ErrorCodes.PlanStale
            ? refusal.Message + " Below is the plan made again with today's figures."
            : "Nothing was transferred. " + refusal.Message;
    }
}

/// <summary>The cover page's fields: what to plan (all red events, live ones, one event, or a request's) and what was confirmed.</summary>
public sealed class CoverForm
{
    public string Scope { get; set; } = PlanScope.All;

    public int? EventId { get; set; }

    /// <summary>The request this plan approves ("Approve…" on the Requests tab), if any.</summary>
    public long? RequestId { get; set; }

    public string PlanId { get; set; } = "";

    /// <summary>The key the confirmation is recorded under, rendered with the plan (<see cref="CoverScreen.IdempotencyKey"/>).</summary>
    public string IdempotencyKey { get; set; } = "";
}

/// <summary>
/// The cover page's one query: a plan of every red event (live first, or live only) or of one event; an event that is
/// not the organization's is "not found" (the page's 404), as on the event's own page.
/// </summary>
public sealed class CoverScreenQuery(CurrentUser me, MakeCoveragePlan make, ProductCatalog catalog, EventQueries events)
{
    public async Task<CoverScreen> For(int organizationId, string? scope, int? eventId, string? notice, CancellationToken ct)
    {
        if (eventId is int one)
        {
            await events.Coverage(organizationId, one, ct);
        }

        var request = new CoveragePlanRequest(scope == PlanScope.Live ? PlanScope.Live : PlanScope.All, null, eventId is int id ? [id] : null);
        var plan = await make.Handle(organizationId, request, me.Actor, ct);
        var names = (await catalog.List(ct)).ToDictionary(p => p.Code, p => p.Name, StringComparer.Ordinal);
        return new CoverScreen(plan, names, Guid.NewGuid().ToString("N"), notice);
    }
}
