using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Orgs.Events;

/// <summary>The Backstage event home: every user of the event sees the missing-entitlements banner; admins can fix it.</summary>
public sealed class EventModel(CurrentUser me, EventQueries events, BatchQueries batches, SubmitParticipantChanges submit) : PageModel
{
    [FromRoute]
    public int OrgId { get; set; }

    [FromRoute]
    public int EventId { get; set; }

    public EventEntitlements Details { get; private set; } = null!;

    public bool IsAdmin { get; private set; }

    public string OrganizationName { get; private set; } = "";

    public IReadOnlyList<BatchStatusDto> Batches { get; private set; } = [];

    public string? UploadError { get; private set; }

    public IReadOnlyDictionary<string, string[]> UploadErrors { get; private set; } = new Dictionary<string, string[]>();

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await this.Guard(() => Load(ct)) ?? Page();

    /// <summary>A CSV of participant changes goes through the same validation, batch table and job as the API.</summary>
    public async Task<IActionResult> OnPostUploadAsync(CancellationToken ct)
    {
        if (await this.Guard(() => me.RequireChangeSenderAsync(OrgId, ct)) is { } refused)
        {
            return refused;
        }

        try
        {
            if (Upload is null || Upload.Length == 0)
            {
                throw DomainException.Validation("file", "Choose a CSV file to upload.");
            }

            if (Upload.Length > CsvChanges.MaxBytes)
            {
                throw new DomainException(ErrorCodes.BatchTooLarge, "The file is larger than 4 MB; split it into several files.");
            }

            await using var stream = Upload.OpenReadStream();
            var request = await CsvChanges.ReadAsync(stream, ct);
            var batch = await submit.Handle(OrgId, EventId, request, "CSV upload by " + me.Actor, ct);
            TempData["Uploaded"] = $"{batch.Received:N0} changes accepted; they are being applied.";
            return Redirect($"/Orgs/{OrgId}/Events/{EventId}#participants");
        }
        catch (DomainException ex) when (ex.Code is ErrorCodes.Validation or ErrorCodes.BatchTooLarge)
        {
            UploadError = ex.Message;
            UploadErrors = ex.Errors;
            await Load(ct);
            return Page();
        }
    }

    private async Task Load(CancellationToken ct)
    {
        var organization = await me.RequireEventReaderAsync(OrgId, EventId, ct);
        OrganizationName = organization.Name;
        ViewData["LastSequence"] = organization.LastSequence;
        IsAdmin = await me.IsAdminAsync(OrgId, ct);
        Details = await events.Details(OrgId, EventId, withTransactions: IsAdmin, ct);
        Batches = IsAdmin ? await batches.Recent(OrgId, EventId, 5, ct) : [];
        ViewData["OrgId"] = OrgId;
    }
}
