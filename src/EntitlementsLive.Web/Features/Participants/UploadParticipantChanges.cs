using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>A CSV file of participant changes, submitted like a batch from the API.</summary>
public sealed class UploadParticipantChanges(SubmitParticipantChanges submit)
{
    /// <summary>The event page lists this many of a refused upload's bad rows.</summary>
    public const int RowsShown = 10;

    /// <summary>What the event page says of an accepted upload.</summary>
    public static string Accepted(BatchStatusDto batch) =>
        FormattableString.CurrentCulture($"{batch.Received:N0} changes accepted; they are being applied.");

    /// <summary>What the event page says of a refused upload: the refusal, then its first bad rows ("row 3: …"), one a line.</summary>
    public static string Refused(DomainException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return string.Join('\n', refusal.Errors.Take(RowsShown)
            .Select(e => $"{e.Key.Replace("changes[", "row ", StringComparison.Ordinal).TrimEnd(']')}: {string.Join("; ", e.Value)}")
            .Prepend(refusal.Message));
    }

    public async Task<BatchStatusDto> Handle(int organizationId, int eventId, Stream? file, long length, string source, CancellationToken ct)
    {
        if (file is null || length == 0)
        {
            throw DomainException.Validation("file", "Choose a CSV file to upload.");
        }

        if (length > CsvChanges.MaxBytes)
        {
            throw new DomainException(ErrorCodes.BatchTooLarge, "The file is larger than 4 MB; split it into several files.");
        }

        var request = await CsvChanges.ReadAsync(file, ct);
        return await submit.Handle(organizationId, eventId, request, source, ct);
    }
}
