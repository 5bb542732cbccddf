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
            Organization = await me.RequireAdminAsync(OrgId, ct);
            ViewData["OrgId"] = OrgId;
        });
}
