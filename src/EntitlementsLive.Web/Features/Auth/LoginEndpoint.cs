using EntitlementsLive.Web.Data;
using Microsoft.AspNetCore.Identity;

namespace EntitlementsLive.Web.Features.Auth;

public sealed record LoginRequest(string? Email, string? Password);

/// <summary>Bearer tokens for scripts: the same password check and lockout as the sign-in page.</summary>
public static class LoginEndpoint
{
    public static async Task<IResult> Handle(LoginRequest body, SignInManager<AppUser> signIn)
    {
        if (string.IsNullOrWhiteSpace(body.Email) || string.IsNullOrEmpty(body.Password) || CannotBeAnAccount(body.Email))
        {
            return Failed();
        }

        // The bearer handler writes { tokenType, accessToken, expiresIn, refreshToken } itself on success.
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var result = await signIn.PasswordSignInAsync(body.Email.Trim(), body.Password, isPersistent: false, lockoutOnFailure: true);
        return result.Succeeded ? TypedResults.Empty : Failed();
    }

    /// <summary>An email no account can have (a control character, or longer than the users' column): refused before any lookup.</summary>
    public static bool CannotBeAnAccount(string email) => email.Length > 256 || email.Any(char.IsControl);

    // No hint whether the email or the password was wrong, nor whether the account is locked.
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Failed() => TypedResults.Problem("The email or password is incorrect.", statusCode: StatusCodes.Status401Unauthorized,
        type: "https://entitlementslive.dev/problems/invalid-credentials",
        extensions: new Dictionary<string, object?> { ["code"] = "invalid-credentials" });
}
