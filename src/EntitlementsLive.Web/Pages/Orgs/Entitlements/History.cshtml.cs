using EntitlementsLive.Web.Features.Transactions;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The organization's transactions, newest first, filtered by product, event and kind, a page at a time.</summary>
public sealed class HistoryModel(HistoryScreenQuery screens) : OrgPageModel
{
    [FromQuery(Name = "productCode")] public string? ProductCode { get; set; }

    [FromQuery(Name = "eventId")] public int? EventId { get; set; }

    [FromQuery(Name = "kind")] public string? Kind { get; set; }

    [FromQuery(Name = "cursor")] public string? Cursor { get; set; }

    public HistoryScreen Screen { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Screen = await screens.For(OrgId, new TransactionFilter(ProductCode, EventId, Kind), ct);
        Screen = await screens.WithPage(OrgId, Screen, Cursor, ct);
        return Page();
    }
}
