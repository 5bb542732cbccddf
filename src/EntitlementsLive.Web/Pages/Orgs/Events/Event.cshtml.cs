using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Orgs.Events;

/// <summary>The Backstage event home: every user of the event sees the missing-entitlements banner; admins can fix it.</summary>
public sealed class EventModel(CurrentUser me, EventQueries events) : PageModel
{
    [FromRoute]
    public int OrgId { get; set; }

    [FromRoute]
    public int EventId { get; set; }

    public EventEntitlements Details { get; private set; } = null!;

    public bool IsAdmin { get; private set; }

    public string OrganizationName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await this.Guard(async () => OrganizationName = (await me.RequireEventReaderAsync(OrgId, EventId, ct)).Name) is { } refused)
        {
            return refused;
        }

        IsAdmin = await me.IsAdminAsync(OrgId, ct);
        Details = await events.Details(OrgId, EventId, ct);
        ViewData["OrgId"] = OrgId;
        return Page();
    }
}
