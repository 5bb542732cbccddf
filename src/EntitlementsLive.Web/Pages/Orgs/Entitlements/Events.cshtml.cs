using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

public sealed class EventsModel(EventQueries events, Features.Forecasts.ForecastQueries forecasts) : OrgPageModel
{
    public const int PageSize = 50;

    /// <summary>The red window lists this many; "Missing only" pages through them all.</summary>
    public const int MissingWindowSize = 25;

    [FromQuery(Name = "status")]
    public string Status { get; set; } = "live";

    [FromQuery(Name = "missingOnly")]
    public bool MissingOnly { get; set; }

    [FromQuery(Name = "pageNumber")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "expand")]
    public bool ExpandMissing { get; set; }

    public IReadOnlyList<EventDto> Events { get; private set; } = [];

    public IReadOnlyList<EventDto> MissingEvents { get; private set; } = [];

    public MissingCounts Missing { get; private set; } = new(0, 0);

    public int LiveCount { get; private set; }

    public int PastCount { get; private set; }

    public bool HasPrevious => PageNumber > 1;

    public bool HasNext { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Status = Status == "past" ? "past" : "live";
        PageNumber = Math.Max(1, PageNumber);
        var filter = Status == "past" ? EventFilter.Past : EventFilter.Live;
        var page = await events.List(OrgId, filter, MissingOnly, ct, PageSize + 1, (PageNumber - 1) * PageSize);
        HasNext = page.Count > PageSize;
        Events = page.Take(PageSize).ToList();
        Missing = await events.MissingCounts(OrgId, ct);
        MissingEvents = await events.List(OrgId, EventFilter.All, missingOnly: true, ct, limit: MissingWindowSize);
        (LiveCount, PastCount) = await events.Counts(OrgId, MissingOnly, ct);
        ViewData["Forecast"] = Status == "live" ? await forecasts.ForOrganization(OrgId, ct) : null;
        return Page();
    }
}
