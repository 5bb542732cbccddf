using EntitlementsLive.Web.Features.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>A mail's unsubscribe link: a button (mail scanners follow links; only a person presses it), no sign-in needed.</summary>
[AllowAnonymous]
public sealed class UnsubscribeModel(NotificationSettingsStore settings) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public string? Done { get; private set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct)
    {
        var kind = await settings.Unsubscribe(Token, ct);
        if (kind is null)
        {
            Error = "This link is not valid (or no longer). Sign in and choose under Notifications.";
        }
        else
        {
            Done = $"You will receive no more mails about {NotificationKinds.Label(kind)}.";
        }
    }
}
