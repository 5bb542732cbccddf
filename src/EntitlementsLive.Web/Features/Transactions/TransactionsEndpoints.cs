using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Transactions;

/// <summary>The transactions part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class TransactionsEndpoints
{
    public static ApiGroups MapTransactions(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapGet("/transactions", async (int orgId, int? limit, string? cursor, string? productCode, int? eventId, string? kind,
            TransactionQueries history, CancellationToken ct) =>
            TypedResults.Ok(await history.Page(orgId, new TransactionFilter(productCode, eventId, kind), limit, cursor, ct)))
            .WithSummary("The transaction history, newest first, keyset-paged.");

        manage.MapGet("/transactions/export", async (int orgId, string? format, string? productCode, int? eventId, string? kind,
            TransactionExport export, HttpContext http, CancellationToken ct) =>
            await export.WriteAsync(http.Response, orgId, format, new TransactionFilter(productCode, eventId, kind), ct))
            .WithSummary("The whole history as CSV or XLSX, streamed.");

        return groups;
    }
}
