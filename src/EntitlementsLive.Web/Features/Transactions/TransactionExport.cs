using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Transactions;

/// <summary>The history tab's export, with the tab's filters.</summary>
public sealed class TransactionExport(TransactionQueries history, TimeProvider clock)
{
    private static readonly string[] Header =
        ["Id", "Sequence", "Kind", "Product code", "Product", "Quantity", "Event id", "Event", "Actor", "Created at", "Reference", "Balance after", "Reason"];

    public async Task WriteAsync(HttpResponse response, int organizationId, string? format, TransactionFilter filter, CancellationToken ct)
    {
        var kind = TableExport.Format(format);
        var rows = history.Stream(organizationId, filter).Select(Fields);
        await TableExport.WriteAsync(response, $"transactions-{organizationId}", kind, Header, rows, clock, ct);
    }

    private static object?[] Fields(TransactionDto t) =>
        [t.Id, t.Sequence, Names.Of(t.Kind), t.ProductCode, t.ProductName, t.Quantity, t.EventId, t.EventName, t.Actor,
            TableExport.Instant(t.CreatedAt), t.Reference, t.BalanceAfter, t.Reason];
}
