using System.Globalization;
using System.Text;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;
using MiniExcelLibs;

namespace EntitlementsLive.Web.Features.Transactions;

/// <summary>Exports the history as CSV (streamed row by row) or XLSX (MiniExcel, written to the response).</summary>
public sealed class TransactionExport(TransactionQueries history, TimeProvider clock)
{
    private static readonly string[] Header =
        ["Id", "Sequence", "Kind", "Product code", "Product", "Quantity", "Event id", "Event", "Actor", "Created at (UTC)", "Reference", "Balance after", "Reason"];

    public async Task WriteAsync(HttpResponse response, int organizationId, string? format, TransactionFilter filter, CancellationToken ct)
    {
        var kind = (format ?? "csv").ToLowerInvariant();
        if (kind is not ("csv" or "xlsx"))
        {
            throw DomainException.Validation("format", "format must be csv or xlsx.");
        }

        var rows = history.Stream(organizationId, filter);
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var name = FormattableString.Invariant($"transactions-{organizationId}-{stamp}.{kind}");
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        if (kind == "csv")
        {
            response.ContentType = "text/csv; charset=utf-8";
            await WriteCsv(response.Body, rows, ct);
        }
        else
        {
            response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            await WriteXlsx(response, rows, ct);
        }
    }

    private static async Task WriteCsv(Stream body, IAsyncEnumerable<TransactionDto> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(',', Header.Select(Csv)));
        var line = new StringBuilder();
        await foreach (var t in rows.WithCancellation(ct))
        {
            line.Clear();
            line.AppendJoin(',', Fields(t).Select(f => Csv(Convert.ToString(f, CultureInfo.InvariantCulture) ?? "")));
            await writer.WriteLineAsync(line, ct);
        }

        await writer.FlushAsync(ct);
    }

    private static async Task WriteXlsx(HttpResponse response, IAsyncEnumerable<TransactionDto> rows, CancellationToken ct)
    {
        // MiniExcel needs a seekable stream for the zip container; it streams rows into a temporary file, not memory.
        var temp = Path.Combine(Path.GetTempPath(), "el-export-" + Guid.NewGuid().ToString("N") + ".xlsx");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await file.SaveAsAsync(Rows(rows, ct), cancellationToken: ct);
            }

            await response.SendFileAsync(temp, ct);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static IEnumerable<Dictionary<string, object?>> Rows(IAsyncEnumerable<TransactionDto> rows, CancellationToken ct)
    {
        var enumerator = rows.GetAsyncEnumerator(ct);
        try
        {
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                var values = Fields(enumerator.Current);
                var row = new Dictionary<string, object?>(Header.Length);
                for (var i = 0; i < Header.Length; i++)
                {
                    row[Header[i]] = values[i];
                }

                yield return row;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static object?[] Fields(TransactionDto t) =>
        [t.Id, t.Sequence, Names.Of(t.Kind), t.ProductCode, t.ProductName, t.Quantity, t.EventId, t.EventName, t.Actor,
            t.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), t.Reference, t.BalanceAfter, t.Reason];

    /// <summary>One CSV field: quoted when needed, spreadsheet formulas defused. Every CSV export writes its fields with it.</summary>
    public static string Csv(string value)
    {
        // Quote when needed, and defuse spreadsheet formulas in free text.
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
