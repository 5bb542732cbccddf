using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops create organizations, turn their entitlements on or off, and invite their first administrators.</summary>
public sealed class OrganizationsModel(OpsScreenQuery screens, CreateOrganization create, SetActivation activation, MemberForms invite) : AppPageModel
{
    [BindProperty] public OrganizationForm Form { get; set; } = new();

    public OpsScreen Screen { get; private set; } = null!;

    public ShownLink? NewLink { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => ReloadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct) =>
        Done(OpsScreen.Created(await create.Handle(new CreateOrganizationRequest(Form.Name, Form.IdempotencyKey), ct)));

    /// <summary>An organization's first administrator; the link is rendered once, not redirected away.</summary>
    public async Task<IActionResult> OnPostInviteAdminAsync(int organizationId, CancellationToken ct)
    {
        NewLink = await invite.FirstAdministrator(organizationId, Form.AdminEmail, ct);
        await ReloadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostActivationAsync(int organizationId, bool activated, CancellationToken ct) =>
        Done(OpsScreen.Activated(await activation.Handle(organizationId, new ActivationRequest(activated), ct)));

    /// <summary>A refused create keeps its key (a second submit is the same organization); an invitation gets a fresh one.</summary>
    protected override async Task ReloadAsync(CancellationToken ct) => Screen = await screens.For(Handler == "Create" ? Form.IdempotencyKey : null, ct);

    private RedirectToPageResult Done(string message)
    {
        TempData["Done"] = message;
        return RedirectToPage();
    }
}
