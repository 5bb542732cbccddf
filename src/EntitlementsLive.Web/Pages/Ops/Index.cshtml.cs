using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Ops;

/// <summary>Ops create organizations and turn their entitlements on or off.</summary>
public sealed class OrganizationsModel(CurrentUser me, OrganizationQueries organizations, CreateOrganization create, SetActivation activation, InviteMember invite,
    Features.Forecasts.ForecastQueries forecasts) : AppPageModel
{
    [BindProperty]
    public string? AdminEmail { get; set; }

    public string? NewLink { get; private set; }

    public bool NewLinkEmailed { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    /// <summary>Rendered with the form, so a double submit creates one organization.</summary>
    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public IReadOnlyList<Organization> Organizations { get; private set; } = [];

    /// <summary>The account manager's list: organizations whose pools are projected short of their live events' need.</summary>
    public IReadOnlyList<Features.Forecasts.OrganizationForecastDto> Shortfalls { get; private set; } = [];

    private async Task Load(CancellationToken ct)
    {
        Organizations = await organizations.All(ct);
        Shortfalls = await forecasts.Shortfalls(ct);
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        IdempotencyKey = Guid.NewGuid().ToString("N");
        await Load(ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var result = await create.Handle(new CreateOrganizationRequest(Name, IdempotencyKey), ct);
        TempData["Done"] = $"{result.Organization.Name} is created. Activate its entitlements when its contract is in.";
        return RedirectToPage();
    }

    /// <summary>An organization's first administrator; the link is rendered once, not redirected away.</summary>
    public async Task<IActionResult> OnPostInviteAdminAsync(int organizationId, CancellationToken ct)
    {
        var created = await invite.Handle(organizationId, new InviteRequest(AdminEmail, nameof(Role.OrganizationAdministrator), null), me.Actor, WebLinks.BaseUrl(HttpContext), ct);
        (NewLink, NewLinkEmailed) = (created.AcceptUrl, created.Emailed);
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostActivationAsync(int organizationId, bool activated, CancellationToken ct)
    {
        var result = await activation.Handle(organizationId, new ActivationRequest(activated), ct);
        TempData["Done"] = $"Entitlements of {result.Name} are {(result.EntitlementsActivated ? "activated" : "deactivated")}.";
        return RedirectToPage();
    }

    /// <summary>A refused create keeps its key (a second submit is the same organization); an invitation gets a fresh one.</summary>
    protected override Task ReloadAsync(CancellationToken ct) => Handler == "Create" ? Load(ct) : OnGetAsync(ct);
}
