using System.Text;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>
/// Reads an uploaded CSV of participant changes (header: changeId, participantRef, type, occurredAt) into
/// the same request the API takes, so uploads go through the same validation and job.
/// </summary>
public static class CsvChanges
{
    public const long MaxBytes = 4 * 1024 * 1024;
    private static readonly string[] Columns = ["changeid", "participantref", "type", "occurredat"];

    public static async Task<ParticipantChangesRequest> ReadAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = await reader.ReadLineAsync(ct);
        if (header is null)
        {
            throw DomainException.Validation("file", "The file is empty.");
        }

        var names = Split(header).Select(h => h.Trim().ToLowerInvariant()).ToList();
        var index = Columns.Select(c => names.IndexOf(c)).ToArray();
        if (index.Any(i => i < 0))
        {
            throw DomainException.Validation("file", "The first line must name the columns changeId, participantRef, type and occurredAt.");
        }

        var rows = new List<ParticipantChangeInput?>();
        var misshapen = new Dictionary<string, string[]>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            // Cells are taken as written, like the API's strings: "added " is not a change type.
            var cells = Split(line);
            if (cells.Count != names.Count && misshapen.Count < 500)
            {
                misshapen[$"changes[{rows.Count}]"] = [$"This row has {cells.Count} cells; the first line names {names.Count} columns."];
            }

            string? Cell(int column) => index[column] < cells.Count ? cells[index[column]] : null;
            rows.Add(new ParticipantChangeInput(Cell(0), Cell(1), Cell(2), Cell(3)));
            if (rows.Count > SubmitParticipantChanges.MaxChanges)
            {
                break;
            }
        }

        if (misshapen.Count > 0)
        {
            throw new DomainException(ErrorCodes.Validation, $"{misshapen.Count:N0} rows do not have one cell per column; nothing was stored.", misshapen);
        }

        return new ParticipantChangesRequest(rows);
    }

    /// <summary>One CSV line: commas separate, double quotes quote, two double quotes escape one.</summary>
    public static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
