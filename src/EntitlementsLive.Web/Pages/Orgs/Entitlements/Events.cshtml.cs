using EntitlementsLive.Web.Features.Events;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

public sealed class EventsModel(EventsScreenQuery screen) : OrgPageModel
{
    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "missingOnly")]
    public bool MissingOnly { get; set; }

    [FromQuery(Name = "pageNumber")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "expand")]
    public bool ExpandMissing { get; set; }

    public EventsScreen Screen { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Screen = await screen.For(OrgId, new EventsScreenRequest(Status, MissingOnly, PageNumber), ct);
        ViewData["Forecast"] = Screen.Forecast;
        return Page();
    }
}
