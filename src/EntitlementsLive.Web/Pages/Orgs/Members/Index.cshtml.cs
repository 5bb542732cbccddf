using EntitlementsLive.Web.Features.Members;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Members;

/// <summary>Administrators invite people, change roles and remove members (never the last administrator); a new link is shown once.</summary>
public sealed class MembersModel(MembersScreenQuery screens, MemberForms forms) : OrgPageModel
{
    [BindProperty] public string? Email { get; set; }

    /// <summary>The menu's choice (<see cref="Features.Members.RoleChoice"/>).</summary>
    [BindProperty] public string? RoleChoice { get; set; }

    public MembersScreen Screen { get; private set; } = null!;
    public ShownLink? NewLink { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => ReloadAsync(ct);

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken ct) => await Shown(await forms.Invite(OrgId, Email, RoleChoice, ct), ct);

    public async Task<IActionResult> OnPostRoleAsync(int membershipId, CancellationToken ct) => Done(await forms.ChangeRole(OrgId, membershipId, RoleChoice, ct));

    public async Task<IActionResult> OnPostRemoveAsync(int membershipId, CancellationToken ct) => Done(await forms.Remove(OrgId, membershipId, ct));

    public async Task<IActionResult> OnPostResetAsync(int membershipId, CancellationToken ct) => await Shown(await forms.Reset(OrgId, membershipId, ct), ct);

    protected override async Task ReloadAsync(CancellationToken ct) => Screen = await screens.For(OrgId, ct);

    private async Task<IActionResult> Shown(ShownLink link, CancellationToken ct)
    {
        (NewLink, Email, Screen) = (link, null, await screens.For(OrgId, ct));
        return Page();
    }

    private RedirectToPageResult Done(string message)
    {
        TempData["Done"] = message;
        return RedirectToPage();
    }
}
