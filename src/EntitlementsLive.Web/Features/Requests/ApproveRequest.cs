using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Plans;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Requests;

public sealed record ApproveBody(string? IdempotencyKey);

/// <summary>The approved request, the transfers that covered its event, and what no pool could cover.</summary>
public sealed record ApprovalResult(RequestDto Request, IReadOnlyList<TransactionDto> Transactions, IReadOnlyList<PlanShortfall> Shortfall)
{
    /// <summary>What the page says once the request is approved, a shortfall included.</summary>
    public string Summary => $"The request for {Request.EventName} is approved: {Transactions.Count:N0} transfers recorded"
        + (Shortfall.Count > 0 ? "; your pools could not cover " + string.Join(", ", Shortfall.Select(s => $"{s.Missing:N0} {s.ProductCode}")) + "." : ".");
}

/// <summary>
/// An administrator approves a request: "Cover this event", executed — its transfers and the approval in one change of
/// the organization (a shortfall is answered, never hidden). The page passes the plan the administrator confirmed; the API
/// makes one (made again once if it went stale on the way). The same key again answers the same transfers.
/// </summary>
public sealed class ApproveRequest(AppDbContext db, CurrentUser me, AuditTrail audit, MakeCoveragePlan make, ExecuteCoveragePlan execute, RequestQueries requests)
{
    public async Task<ApprovalResult> Handle(int organizationId, long requestId, ApproveBody body, CancellationToken ct, string? confirmedPlanId = null)
    {
        var check = new Validation();
        check.RequireKey(body.IdempotencyKey);
        check.ThrowIfInvalid();
        var key = body.IdempotencyKey!;
        var (_, name, email) = await People.CurrentAsync(db, me, ct);
        for (var attempt = 0; ; attempt++)
        {
            var request = await db.EntitlementRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrganizationId == organizationId && r.Id == requestId, ct)
                          ?? throw Validation.NotFound("The request");
            if (request.ApprovalKey == key)
            {
                return await EarlierAsync(organizationId, request, ct);
            }

            if (!request.IsOpen)
            {
                throw new DomainException(ErrorCodes.RequestResolved, $"This request is {Names.Of(request.Status)} already: nothing was transferred.");
            }

            if (confirmedPlanId is not null && !await IsPlanOfAsync(confirmedPlanId, organizationId, request.EventId, ct))
            {
                throw Validation.Invalid("planId", "This plan is not the one of this request's event: open the request again.");
            }

            var planId = confirmedPlanId ?? (await make.Handle(organizationId, new CoveragePlanRequest(PlanScope.All, null, [request.EventId]), me.Actor, ct)).PlanId;
            try
            {
                var executed = await execute.Handle(organizationId, planId, new ExecutePlanRequest(key), me.Actor, ct, async change =>
                {
                    var r = await change.Db.EntitlementRequests.SingleAsync(x => x.Id == requestId, ct);
                    var eventName = await WriteQueries.EventNameAsync(change.Db, organizationId, r.EventId) ?? "";
                    r.Approve(name, email, key, planId, change.Now);
                    change.Db.AuditEntries.Add(audit.Entry(organizationId, AuditAction.RequestApproved, eventName, "plan " + planId));
                    change.Raise(new RequestChanged(r, eventName));
                });
                return await Answer(organizationId, requestId, executed.Transactions, planId, ct);
            }
            catch (DomainException ex) when (ex.Code == ErrorCodes.PlanStale && confirmedPlanId is null && attempt == 0)
            {
                // Something moved between making the plan and executing it: made again once, from the new figures.
            }
            catch (DomainException ex) when (ex.Code == ErrorCodes.IdempotencyKeyReused)
            {
                // A racing approval with the same key executed its own plan first: answer with it.
                var first = await db.EntitlementRequests.AsNoTracking().SingleAsync(r => r.Id == requestId, ct);
                if (first.ApprovalKey != key)
                {
                    throw;
                }

                return await EarlierAsync(organizationId, first, ct);
            }
        }
    }

    /// <summary>Whether the plan is "Cover this event" for the request's event (a page cannot slip another plan in).</summary>
    private async Task<bool> IsPlanOfAsync(string planId, int organizationId, int eventId, CancellationToken ct)
    {
        var stored = await db.CoveragePlans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId && p.OrganizationId == organizationId, ct);
        return stored is not null && System.Text.Json.JsonSerializer.Deserialize<PlanScope>(stored.Request, MakeCoveragePlan.Json)!.EventIds is [var only] && only == eventId;
    }

    private async Task<ApprovalResult> EarlierAsync(int organizationId, EntitlementRequest request, CancellationToken ct)
    {
        var plan = await db.CoveragePlans.AsNoTracking().SingleAsync(p => p.Id == request.PlanId, ct);
        var transactions = await ExecuteCoveragePlan.TransactionsOfAsync(db, organizationId, plan.Id, ExecuteCoveragePlan.PlanOf(plan).Items.Count, ct);
        return await Answer(organizationId, request.Id, transactions, plan.Id, ct);
    }

    private async Task<ApprovalResult> Answer(int organizationId, long requestId, IReadOnlyList<TransactionDto> transactions, string planId, CancellationToken ct)
    {
        var plan = await db.CoveragePlans.AsNoTracking().SingleAsync(p => p.Id == planId, ct);
        var shortfall = ExecuteCoveragePlan.PlanOf(plan).Shortfall;
        return new ApprovalResult(await requests.One(organizationId, requestId, ct), transactions, shortfall);
    }
}
