using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

public sealed class HistoryModel(TransactionQueries history, PoolQueries pools, EventQueries events) : OrgPageModel
{
    [FromQuery(Name = "productCode")]
    public string? ProductCode { get; set; }

    [FromQuery(Name = "eventId")]
    public int? EventId { get; set; }

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    public TransactionPage Result { get; private set; } = new([], null);

    public IReadOnlyList<PoolDto> Products { get; private set; } = [];

    public IReadOnlyList<(int Id, string Name)> Events { get; private set; } = [];

    /// <summary>This page, at <paramref name="cursor"/>, with the same filters (the routing builds the address).</summary>
    public string Link(string? cursor = null) =>
        Url.Page("/Orgs/Entitlements/History", new { orgId = OrgId, productCode = ProductCode, eventId = EventId, kind = Kind, cursor })!;

    /// <summary>The API export's query for the same filters.</summary>
    public string Query(string? cursor = null, string? format = null)
    {
        var parts = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null && value.ToString() is { Length: > 0 } text)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(text));
            }
        }

        Add("productCode", ProductCode);
        Add("eventId", EventId);
        Add("kind", Kind);
        Add("cursor", cursor);
        Add("format", format);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Products = await pools.List(OrgId, ct);
        Events = await events.Names(OrgId, 500, ct);
        Result = await history.Page(OrgId, new TransactionFilter(ProductCode, EventId, Kind), TransactionQueries.DefaultLimit, Cursor, ct);
        return Page();
    }
}
