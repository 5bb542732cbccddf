using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace EntitlementsLive.Web.Pages.Orgs;

/// <summary>
/// The pages of one organization. Who may open them is declared on the folder (see AddWeb); this base only
/// reads the organization before the handler runs.
/// </summary>
public abstract class OrgPageModel : AppPageModel
{
    [FromRoute]
    public int OrgId { get; set; }

    public Organization Organization { get; private set; } = null!;

    protected override async Task<PageHandlerExecutedContext?> BeforeHandlerAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        // Read before the page's figures: live updates resume from this sequence, so nothing committed
        // between this read and the hub connection is missed.
        // The folder's policy read it already; read again only where no policy did.
        Organization = RouteOrganization.Recall(HttpContext)
            ?? await HttpContext.RequestServices.GetRequiredService<OrganizationQueries>().Get(OrgId, HttpContext.RequestAborted);
        ViewData["OrgId"] = OrgId;
        ViewData["LastSequence"] = Organization.LastSequence;
        return await next();
    }
}
