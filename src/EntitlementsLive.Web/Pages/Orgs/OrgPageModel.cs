using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Orgs;

/// <summary>The entitlements pages of one organization: only its administrators, only when activated.</summary>
public abstract class OrgPageModel(CurrentUser me) : PageModel
{
    [FromRoute]
    public int OrgId { get; set; }

    public Organization Organization { get; private set; } = null!;

    protected CurrentUser Me => me;

    protected Task<IActionResult?> AuthorizeAdmin(CancellationToken ct) =>
        this.Guard(async () =>
        {
            // Read before the page's figures: live updates resume from this sequence, so nothing committed
            // between this read and the hub connection is missed.
            Organization = await me.RequireAdminAsync(OrgId, ct);
            ViewData["OrgId"] = OrgId;
            ViewData["LastSequence"] = Organization.LastSequence;
        });
}
