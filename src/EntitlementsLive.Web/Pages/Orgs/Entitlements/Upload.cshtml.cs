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
        await using var stream = Upload?.OpenReadStream();
        var batch = await upload.Handle(OrgId, EventId, stream, Upload?.Length ?? 0, "CSV upload by " + me.Actor, ct);
        TempData[AcceptedKey] = $"{batch.Received:N0} changes accepted; they are being applied.";
        return Redirect(EventPage + "#participants");
    }

    /// <summary>The refusal goes back to the event page with its first bad rows, as the upload's outcome.</summary>
    protected override Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        TempData[ErrorKey] = string.Join('\n', refusal.Errors.Take(10)
            .Select(e => $"{e.Key.Replace("changes[", "row ", StringComparison.Ordinal).TrimEnd(']')}: {string.Join("; ", e.Value)}")
            .Prepend(refusal.Message));
        return Task.FromResult<IActionResult>(Redirect(EventPage + "#participants"));
    }

    private string EventPage => $"/Orgs/{OrgId}/Events/{EventId}";
}
