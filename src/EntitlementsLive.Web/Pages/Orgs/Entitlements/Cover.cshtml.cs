using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Plans;
using EntitlementsLive.Web.Features.Requests;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The plan (<see cref="CoverScreen"/>), its confirmation (final), its transfers in one step; or a request's approval.</summary>
public sealed class CoverModel(CurrentUser me, CoverScreenQuery screens, ExecuteCoveragePlan execute, ApproveRequest approve) : OrgPageModel
{
    [BindProperty(SupportsGet = true)] public CoverForm Form { get; set; } = new();

    public CoverScreen Screen { get; private set; } = null!;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ShowPlan(null, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct) => Form.RequestId is long requestId
        ? Done(RequestsModel.Done, (await approve.Handle(OrgId, requestId, new ApproveBody(Form.IdempotencyKey), ct, confirmedPlanId: Form.PlanId)).Summary)
        : Done(CoverScreen.Covered, (await execute.Handle(OrgId, Form.PlanId, new ExecutePlanRequest(Form.IdempotencyKey), me.Actor, ct)).Summary);

    /// <summary>A GET's refusal is the error page's; a refused confirmation shows the plan made again (see RefusedAsync).</summary>
    protected override bool ShowsOnPage(DomainException refusal) => base.ShowsOnPage(refusal) && !HttpMethods.IsGet(Request.Method);

    protected override async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct) => refusal.Code is ErrorCodes.RequestResolved
        ? Done(RequestsModel.Done, refusal.Message) : await ShowPlan(CoverScreen.NoticeAfter(refusal), ct);

    private RedirectToPageResult Done(string key, string message)
    {
        TempData[key] = message;
        return key == RequestsModel.Done ? RedirectToPage("./Requests", new { orgId = OrgId }) : Form.EventId is int id
            ? RedirectToPage("/Orgs/Events/Event", null, new { orgId = OrgId, eventId = id }, "entitlements") : RedirectToPage("./Events", new { orgId = OrgId });
    }

    private async Task<IActionResult> ShowPlan(string? notice, CancellationToken ct)
    {
        Screen = await screens.For(OrgId, Form.Scope, Form.EventId, notice, ct);
        return Page();
    }
}
