using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Members;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>Where an invitation or a reset link lands: name and password, then signed in. A bad link gets a clear page.</summary>
public sealed class AcceptModel(AcceptInvitation accept, SignInManager<AppUser> signIn) : AppPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public Invitation? Invitation { get; private set; }

    public bool IsReset => Invitation?.Purpose == InvitationPurpose.PasswordReset;

    public bool HasAccount { get; private set; }

    public string? OrganizationName { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await Load(ct);
        if (Invitation is null)
        {
            // A used, expired or forged link: the page says so, with the status that says so too.
            Response.StatusCode = StatusCodes.Status410Gone;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var accepted = await accept.Handle(new AcceptRequest(Token, Name, Password), ct);
        var user = await signIn.UserManager.FindByIdAsync(accepted.UserId);
        await signIn.SignInAsync(user!, isPersistent: false);
        return LocalRedirect("/");
    }

    protected override Task ReloadAsync(CancellationToken ct) => Load(ct);

    private async Task Load(CancellationToken ct)
    {
        var link = await accept.Describe(Token, ct);
        (Invitation, HasAccount, OrganizationName) = (link?.Invitation, link?.HasAccount ?? false, link?.OrganizationName);
    }
}
