using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Notifications;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>Each user's own choice of mails: alerts raised, alerts resolved, entitlement requests.</summary>
public sealed class NotificationsModel(CurrentUser me, NotificationSettingsStore settings) : PageModel
{
    public NotificationSettingsDto Settings { get; private set; } = null!;

    public string? Saved { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Settings = await settings.Get(UserId, ct);

    public async Task OnPostAsync(bool alertRaised, bool alertResolved, bool requests, CancellationToken ct)
    {
        Settings = await settings.Set(UserId, new NotificationSettingsRequest(alertRaised, alertResolved, requests), ct);
        Saved = "Saved.";
    }

    private string UserId => me.UserId ?? throw new DomainException(ErrorCodes.Forbidden, "Only a signed-in person has notifications.");
}
