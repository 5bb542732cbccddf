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

    public IActionResult OnGet() => EventPage(null);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var stream = Upload?.OpenReadStream();
        TempData[AcceptedKey] = UploadParticipantChanges.Accepted(await upload.Handle(OrgId, EventId, stream, Upload?.Length ?? 0, "CSV upload by " + me.Actor, ct));
        return EventPage("participants");
    }

    /// <summary>The refusal goes back to the event page with its first bad rows, as the upload's outcome.</summary>
    protected override Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        TempData[ErrorKey] = UploadParticipantChanges.Refused(refusal);
        return Task.FromResult<IActionResult>(EventPage("participants"));
    }

    private RedirectToPageResult EventPage(string? section) => RedirectToPage("/Orgs/Events/Event", null, new { orgId = OrgId, eventId = EventId }, section);
}
