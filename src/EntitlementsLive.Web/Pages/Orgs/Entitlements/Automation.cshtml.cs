using EntitlementsLive.Web.Features.Organizations;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>Automation: auto-cover of participants added by the registration system, on or off.</summary>
public sealed class AutomationModel(AutoCover autoCover) : OrgPageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(bool enabled, CancellationToken ct)
    {
        await autoCover.Set(OrgId, enabled, ct);
        return RedirectToPage();
    }
}
