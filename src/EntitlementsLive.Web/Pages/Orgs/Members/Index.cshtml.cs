using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Members;

/// <summary>The organization's administrators invite people, change roles and remove members (never the last administrator).</summary>
public sealed class MembersModel(CurrentUser me, Memberships members, InviteMember invite, IssuePasswordReset reset, EventQueries events) : OrgPageModel
{
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>The menu's choice (<see cref="Features.Members.RoleChoice"/>).</summary>
    [BindProperty]
    public string? RoleChoice { get; set; }

    public IReadOnlyList<MemberDto> Members { get; private set; } = [];

    public IReadOnlyList<PendingInvitationDto> Pending { get; private set; } = [];

    public IReadOnlyList<(int Id, string Name)> Events { get; private set; } = [];

    public string? NewLink { get; private set; }

    public string? NewLinkTitle { get; private set; }

    public bool NewLinkEmailed { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => Load(ct);

    public Task<IActionResult> OnPostInviteAsync(CancellationToken ct) => Attempt(async () =>
    {
        var (role, eventId) = Features.Members.RoleChoice.Parse(RoleChoice);
        var created = await invite.Handle(OrgId, new InviteRequest(Email, role, eventId), me.Actor, WebLinks.BaseUrl(HttpContext), ct);
        (NewLink, NewLinkTitle, NewLinkEmailed) = (created.AcceptUrl, $"Invitation for {Email?.Trim()} created.", created.Emailed);
        Email = null;
        return null;
    }, ct);

    public Task<IActionResult> OnPostRoleAsync(int membershipId, CancellationToken ct) => Attempt(async () =>
    {
        var (role, eventId) = Features.Members.RoleChoice.Parse(RoleChoice);
        var changed = await members.ChangeRole(OrgId, membershipId, new ChangeRoleRequest(role, eventId), ct);
        TempData["Done"] = $"{changed.Email} is now {Names.Label(changed.Role)}.";
        return RedirectToPage();
    }, ct);

    public Task<IActionResult> OnPostRemoveAsync(int membershipId, CancellationToken ct) => Attempt(async () =>
    {
        await members.Remove(OrgId, membershipId, ct);
        TempData["Done"] = "The membership is removed; it takes effect at once, on open screens too.";
        return RedirectToPage();
    }, ct);

    public Task<IActionResult> OnPostResetAsync(int membershipId, CancellationToken ct) => Attempt(async () =>
    {
        var created = await reset.ForMember(OrgId, membershipId, me.Actor, WebLinks.BaseUrl(HttpContext), ct);
        (NewLink, NewLinkTitle, NewLinkEmailed) = (created.AcceptUrl, "Password reset link created.", created.Emailed);
        return null;
    }, ct);

    /// <summary>Runs an action; a link it made is shown once (rendered, not redirected). A refusal is the base page's.</summary>
    private async Task<IActionResult> Attempt(Func<Task<IActionResult?>> action, CancellationToken ct)
    {
        if (await action() is { } redirect)
        {
            return redirect;
        }

        await Load(ct);
        return Page();
    }

    protected override Task ReloadAsync(CancellationToken ct) => Load(ct);

    private async Task Load(CancellationToken ct)
    {
        Members = await members.List(OrgId, ct);
        Pending = await invite.Pending(OrgId, ct);
        Events = await events.Names(OrgId, 500, ct);
    }
}
