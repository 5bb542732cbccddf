using System.Globalization;
using System.Text;
using EntitlementsLive.Domain;
using MiniExcelLibs;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Every tab's export: CSV streamed row by row, or XLSX (MiniExcel, through a temporary file, never the whole
/// table in memory); times as ISO 8601 with their offset; spreadsheet formulas defused in CSV text.
/// </summary>
public static class TableExport
{
    public static string Format(string? format) => format switch
    {
        null or "" or "csv" => "csv",
        "xlsx" => "xlsx",
        _ => throw DomainException.Validation("format", "format must be csv or xlsx."),
    };

    public static async Task WriteAsync(HttpResponse response, string name, string format, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows,
        TimeProvider clock, CancellationToken ct)
    {
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{stamp}.{format}\"";
        if (format == "csv")
        {
            response.ContentType = "text/csv; charset=utf-8";
            await WriteCsv(response.Body, header, rows, ct);
        }
        else
        {
            response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            await WriteXlsx(response, header, rows, ct);
        }
    }

    /// <summary>An instant as exports and pages write it: ISO 8601 in UTC, with its offset (Z).</summary>
    public static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>One CSV field: quoted when needed, spreadsheet formulas defused.</summary>
    public static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static async Task WriteCsv(Stream body, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(',', header.Select(Csv)));
        var line = new StringBuilder();
        await foreach (var fields in rows.WithCancellation(ct))
        {
            line.Clear();
            line.AppendJoin(',', fields.Select(f => Csv(Convert.ToString(f, CultureInfo.InvariantCulture) ?? "")));
            await writer.WriteLineAsync(line, ct);
        }

        await writer.FlushAsync(ct);
    }

    private static async Task WriteXlsx(HttpResponse response, IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        // MiniExcel needs a seekable stream for the zip container; it streams rows into a temporary file, not memory.
        var temp = Path.Combine(Path.GetTempPath(), "el-export-" + Guid.NewGuid().ToString("N") + ".xlsx");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await file.SaveAsAsync(Rows(header, rows, ct), cancellationToken: ct);
            }

            await response.SendFileAsync(temp, ct);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static IEnumerable<Dictionary<string, object?>> Rows(IReadOnlyList<string> header, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        var enumerator = rows.GetAsyncEnumerator(ct);
        try
        {
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                var values = enumerator.Current;
                var row = new Dictionary<string, object?>(header.Count);
                for (var i = 0; i < header.Count; i++)
                {
                    row[header[i]] = values[i];
                }

                yield return row;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
