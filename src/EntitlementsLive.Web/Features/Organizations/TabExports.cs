using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>"Export" on the pools overview and on the events list, as the help article's later versions have it.</summary>
public sealed class TabExports(PoolQueries pools, EventQueries events, ParticipantQueries participants, TimeProvider clock)
{
    private static readonly string[] ParticipantHeader = ["Participant reference", "State", "Activated the app", "Counted", "Why", "Last change at"];

    /// <summary>Events are read this many at a time, so a long list is streamed, not held.</summary>
    public const int EventChunk = 500;

    private static readonly string[] PoolHeader = ["Product code", "Product", "Kind", "Purchased", "Transferred", "Available", "Required by events", "Allocated to events", "Missing"];

    public async Task Pools(HttpResponse response, int organizationId, string? format, CancellationToken ct)
    {
        var kind = TableExport.Format(format);
        var list = await pools.List(organizationId, ct);
        var consumption = (await pools.Consumption(organizationId, ct)).ToDictionary(c => c.ProductCode, StringComparer.Ordinal);
        var rows = list.Select(p =>
        {
            var c = consumption.GetValueOrDefault(p.ProductCode);
            return new object?[] { p.ProductCode, p.ProductName, Names.Of(p.Kind), p.Purchased, p.Transferred, p.Available, c?.Required ?? 0, c?.Allocated ?? 0, c?.Missing ?? 0 };
        }).ToAsyncEnumerable();
        await TableExport.WriteAsync(response, $"pools-{organizationId}", kind, PoolHeader, rows, clock, ct);
    }

    public async Task Events(HttpResponse response, int organizationId, string? format, EventFilter filter, bool missingOnly, CancellationToken ct)
    {
        var kind = TableExport.Format(format);
        // One column group per product the organization has a pool of, named as its pools tab names them.
        var products = await pools.List(organizationId, ct);
        var header = new List<string> { "Id", "Event", "External reference", "Status", "Time zone", "Starts at", "Ends at", "Missing entitlements", "Counted participants", "Activated participants" };
        foreach (var product in products)
        {
            header.AddRange([product.ProductName + " required", product.ProductName + " allocated", product.ProductName + " missing"]);
        }

        var codes = products.Select(p => p.ProductCode).ToList();
        await TableExport.WriteAsync(response, $"events-{organizationId}", kind, header, Rows(organizationId, filter, missingOnly, codes, ct), clock, ct);
    }

    public async Task Participants(HttpResponse response, int organizationId, int eventId, string? format, ParticipantFilter filter, CancellationToken ct)
    {
        var kind = TableExport.Format(format);

        // The first page is read before the response starts, so a bad filter or another organization's event is a clear error, not a broken file.
        var rows = participants.All(organizationId, eventId, filter, ct).GetAsyncEnumerator(ct);
        var any = await rows.MoveNextAsync();
        await TableExport.WriteAsync(response, $"participants-{eventId}", kind, ParticipantHeader, Rest(rows, any), clock, ct);

        static async IAsyncEnumerable<object?[]> Rest(IAsyncEnumerator<ParticipantDto> rows, bool any)
        {
            await using var _ = rows;
            for (var more = any; more; more = await rows.MoveNextAsync())
            {
                var p = rows.Current;
                yield return [p.ParticipantRef, Names.Of(p.State), p.Activated ? "yes" : "no", p.Counted ? "yes" : "no", p.Reason,
                    p.LastChangedAt is { } at ? TableExport.Instant(at) : null];
            }
        }
    }

    private async IAsyncEnumerable<object?[]> Rows(int organizationId, EventFilter filter, bool missingOnly, List<string> codes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in events.All(organizationId, filter, missingOnly, EventChunk, ct))
        {
            var zone = EventTimes.Zone(e.TimeZone);
            var row = new List<object?>
            {
                e.Id, e.Name, e.ExternalRef, Names.Of(e.Status), e.TimeZone, EventTimes.Iso(e.StartsAt, zone), EventTimes.Iso(e.EndsAt, zone), e.Missing ? "yes" : "no",
                e.CountedParticipants, e.ActivatedParticipants,
            };
            foreach (var code in codes)
            {
                var p = e.Products.FirstOrDefault(x => x.ProductCode == code);
                row.AddRange([p?.Required, p?.Allocated, p?.Missing]);
            }

            yield return [.. row];
        }
    }
}
