using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>Self-service reset: a link by mail when mail is configured; the same answer whether or not the address has an account.</summary>
public sealed class ForgotModel(IssuePasswordReset reset) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    public string? Answer { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct) =>
        Answer = await reset.ByMail(Email, WebLinks.BaseUrl(HttpContext), ct)
            ? "If this address has an account, a link to choose a new password is on its way. It works once, for 24 hours."
            : "Links are not mailed here: ask your organization's administrator for a password reset link.";
}
