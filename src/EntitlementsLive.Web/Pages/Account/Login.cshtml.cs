using EntitlementsLive.Web.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password))
        {
            Error = "Enter your email and password.";
            return Page();
        }

        // An email no account can have is not looked up (PostgreSQL refuses a NUL in text), and fails like any other.
        var result = Features.Auth.LoginEndpoint.CannotBeAnAccount(Email)
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(Email.Trim(), Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        // The same words whether the email, the password or a lockout was the reason: a lockout message
        // would tell which emails have accounts.
        Error = "The email or password is incorrect. After several failed attempts, sign-in pauses for a few minutes.";
        return Page();
    }
}
