using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>
/// A CSV of participant changes from the event page goes through the same validation, batch table and job
/// as the API; the outcome (accepted, or every bad row) is shown back on the event page.
/// </summary>
public sealed class UploadModel(CurrentUser me, UploadParticipantChanges upload) : OrgPageModel
{
    public const string AcceptedKey = "Uploaded";
    public const string ErrorKey = "UploadError";

    [FromRoute]
    public int EventId { get; set; }

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public IActionResult OnGet() => Redirect(EventPage);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            await using var stream = Upload?.OpenReadStream();
            var batch = await upload.Handle(OrgId, EventId, stream, Upload?.Length ?? 0, "CSV upload by " + me.Actor, ct);
            TempData[AcceptedKey] = $"{batch.Received:N0} changes accepted; they are being applied.";
        }
        catch (DomainException ex) when (ex.Code is ErrorCodes.Validation or ErrorCodes.BatchTooLarge)
        {
            TempData[ErrorKey] = string.Join('\n', ex.Errors.Take(10)
                .Select(e => $"{e.Key.Replace("changes[", "row ", StringComparison.Ordinal).TrimEnd(']')}: {string.Join("; ", e.Value)}")
                .Prepend(ex.Message));
        }

        return Redirect(EventPage + "#participants");
    }

    private string EventPage => $"/Orgs/{OrgId}/Events/{EventId}";
}
