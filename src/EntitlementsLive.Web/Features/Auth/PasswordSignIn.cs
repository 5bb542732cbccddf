using EntitlementsLive.Web.Data;
using Microsoft.AspNetCore.Identity;

namespace EntitlementsLive.Web.Features.Auth;

/// <summary>The sign-in page's check: the same password check and lockout as the API's, answering with the words the page shows.</summary>
public sealed class PasswordSignIn(SignInManager<AppUser> signIn)
{
    public const string Missing = "Enter your email and password.";

    /// <summary>
    /// The same words whether the email, the password or a lockout was the reason: a lockout message would tell which
    /// emails have accounts.
    /// </summary>
    public const string Refused = "The email or password is incorrect. After several failed attempts, sign-in pauses for a few minutes.";

    /// <summary>Signs the user in with a cookie; null once signed in, else why not.</summary>
    public async Task<string?> Refusal(string? email, string? password)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return Missing;
        }

        // An email no account can have is not looked up (PostgreSQL refuses a NUL in text), and fails like any other.
        var result = LoginEndpoint.CannotBeAnAccount(email)
            ? SignInResult.Failed
            : await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: true);
        return result.Succeeded ? null : Refused;
    }
}
