using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>Integration keys for registration systems: create (the secret shown once), list, revoke.</summary>
public sealed class IntegrationsModel(CurrentUser me, IntegrationKeys keys) : OrgPageModel
{
    public IReadOnlyList<IntegrationKeyDto> Keys { get; private set; } = [];

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Scopes { get; set; } = [];

    /// <summary>A new key's secret, shown this once.</summary>
    public string? NewSecret { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await keys.List(OrgId, ct);

    public async Task OnPostCreateAsync(CancellationToken ct)
    {
        // Rendered, not redirected: the secret is shown this once and never again.
        (NewSecret, Name) = ((await keys.Create(OrgId, new CreateKeyRequest(Name, Scopes), me.Actor, ct)).Secret, null);
        await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(int keyId, CancellationToken ct)
    {
        await keys.Revoke(OrgId, keyId, ct);
        return RedirectToPage();
    }

    protected override Task ReloadAsync(CancellationToken ct) => OnGetAsync(ct);
}
