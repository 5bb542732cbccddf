using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Participants;

/// <summary>A CSV file of participant changes, submitted like a batch from the API.</summary>
public sealed class UploadParticipantChanges(SubmitParticipantChanges submit)
{
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
