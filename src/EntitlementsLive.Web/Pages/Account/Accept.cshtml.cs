using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Members;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Account;

/// <summary>Where an invitation or a reset link lands: name and password, then signed in. A bad link gets a clear page.</summary>
public sealed class AcceptModel(AcceptInvitation accept, SignInManager<AppUser> signIn) : AppPageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    [BindProperty] public string? Name { get; set; }

    [BindProperty] public string? Password { get; set; }

    /// <summary>What the link is for; null for a used, expired or forged one.</summary>
    public PendingLink? Link { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        if (Link is null)
        {
            // A used, expired or forged link: the page says so, with the status that says so too.
            Response.StatusCode = StatusCodes.Status410Gone;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var accepted = await accept.Handle(new AcceptRequest(Token, Name, Password), ct);
        await signIn.SignInAsync((await signIn.UserManager.FindByIdAsync(accepted.UserId))!, isPersistent: false);
        return LocalRedirect("/");
    }

    protected override async Task ReloadAsync(CancellationToken ct) => Link = await accept.Describe(Token, ct);
}
