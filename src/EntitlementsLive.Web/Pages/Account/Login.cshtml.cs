using EntitlementsLive.Web.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>Sign-in with an e-mail and a password (<see cref="PasswordSignIn"/>), back to where the user was going.</summary>
[AllowAnonymous]
public sealed class LoginModel(PasswordSignIn signIn) : PageModel
{
    [BindProperty] public string? Email { get; set; }

    [BindProperty] public string? Password { get; set; }

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Error = await signIn.Refusal(Email, Password);
        return Error is null ? LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/") : Page();
    }
}
