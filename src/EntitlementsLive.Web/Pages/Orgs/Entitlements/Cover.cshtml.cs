using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Plans;
using EntitlementsLive.Web.Features.Products;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>"Cover all missing" and "Cover this event": the plan, its confirmation (final), its transfers in one step.</summary>
public sealed class CoverModel(CurrentUser me, MakeCoveragePlan make, ExecuteCoveragePlan execute, ProductCatalog catalog, Features.Requests.ApproveRequest approve) : OrgPageModel
{
    public const string Covered = "Covered";

    [BindProperty(SupportsGet = true)]
    public string Scope { get; set; } = PlanScope.All;

    [BindProperty(SupportsGet = true)]
    public int? EventId { get; set; }

    /// <summary>The request this plan approves ("Approve…" on the Requests tab), if any.</summary>
    [BindProperty(SupportsGet = true)]
    public long? RequestId { get; set; }

    [BindProperty]
    public string PlanId { get; set; } = "";

    /// <summary>Rendered with the plan, so a double click or a refresh executes it once.</summary>
    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public CoveragePlanDto Plan { get; private set; } = null!;

    /// <summary>Why the plan shown is not the one confirmed (it went stale), or why nothing was transferred.</summary>
    public string? Notice { get; private set; }

    public IReadOnlyDictionary<string, Product> Products { get; private set; } = new Dictionary<string, Product>();

    public string NameOf(string productCode) => Products.TryGetValue(productCode, out var p) ? p.Name : productCode;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ShowPlan(null, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (RequestId is long requestId)
        {
            var approval = await approve.Handle(OrgId, requestId, new Features.Requests.ApproveBody(IdempotencyKey), ct, confirmedPlanId: PlanId);
            TempData[RequestsModel.Done] = $"The request for {approval.Request.EventName} is approved: {approval.Transactions.Count:N0} transfers recorded"
                + (approval.Shortfall.Count > 0 ? "; your pools could not cover " + string.Join(", ", approval.Shortfall.Select(s => $"{s.Missing:N0} {s.ProductCode}")) + "." : ".");
            return Redirect($"/Orgs/{OrgId}/Entitlements/Requests");
        }

        var result = await execute.Handle(OrgId, PlanId, new ExecutePlanRequest(IdempotencyKey), me.Actor, ct);
        var events = result.Transactions.Select(t => t.EventId).Distinct().Count();
        TempData[Covered] = result.Transactions.Count == 0
            ? "Nothing was missing: no transfer was needed."
            : FormattableString.CurrentCulture($"{result.Transactions.Count:N0} transfers recorded to {events:N0} events.");
        return Redirect(EventId is int id ? $"/Orgs/{OrgId}/Events/{id}#entitlements" : $"/Orgs/{OrgId}/Entitlements/Events");
    }

    /// <summary>A plan for an event that is not this organization's is a 404; other refusals of a GET are the error page's.</summary>
    protected override bool ShowsOnPage(DomainException refusal) => base.ShowsOnPage(refusal) &&
        (!HttpMethods.IsGet(Request.Method) || (refusal.Code == ErrorCodes.Validation && EventId is not null));

    /// <summary>
    /// A request answered meanwhile goes back to the Requests tab; otherwise nothing was transferred, and the plan is made
    /// again from today's figures for the administrator to confirm.
    /// </summary>
    protected override async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        if (HttpMethods.IsGet(Request.Method))
        {
            return NotFound();
        }

        if (refusal.Code is ErrorCodes.RequestResolved)
        {
            TempData[RequestsModel.Done] = refusal.Message;
            return Redirect($"/Orgs/{OrgId}/Entitlements/Requests");
        }

        return await ShowPlan(refusal.Code == ErrorCodes.PlanStale
            ? refusal.Message + " Below is the plan made again with today's figures."
            : "Nothing was transferred. " + refusal.Message, ct);
    }

    private async Task<IActionResult> ShowPlan(string? notice, CancellationToken ct)
    {
        Scope = Scope == PlanScope.Live ? PlanScope.Live : PlanScope.All;
        Plan = await make.Handle(OrgId, new CoveragePlanRequest(Scope, null, EventId is int id ? [id] : null), me.Actor, ct);
        Products = (await catalog.List(ct)).ToDictionary(p => p.Code, StringComparer.Ordinal);
        IdempotencyKey = Guid.NewGuid().ToString("N");
        Notice = notice;
        ModelState.Clear();
        return Page();
    }
}
