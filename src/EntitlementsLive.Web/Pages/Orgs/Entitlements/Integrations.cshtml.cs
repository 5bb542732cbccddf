using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Integrations;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>Integration keys for registration systems, and the auto-cover opt-in.</summary>
public sealed class IntegrationsModel(CurrentUser me, IntegrationKeys keys, AutoCover autoCover, Features.Webhooks.ManageWebhooks webhooks) : OrgPageModel
{
    public IReadOnlyList<IntegrationKeyDto> Keys { get; private set; } = [];

    public IReadOnlyList<Features.Webhooks.WebhookDto> Webhooks { get; private set; } = [];

    [BindProperty]
    public string? WebhookUrl { get; set; }

    [BindProperty]
    public List<string> WebhookEvents { get; set; } = [];

    /// <summary>A new webhook's signing secret, shown this once.</summary>
    public string? NewWebhookSecret { get; private set; }

    public string? WebhookError { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Scopes { get; set; } = [];

    public string? NewSecret { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Keys = await keys.List(OrgId, ct);
        Webhooks = await webhooks.List(OrgId, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostWebhookAsync(CancellationToken ct)
    {
        NewWebhookSecret = (await webhooks.Create(OrgId, new Features.Webhooks.WebhookRequest(WebhookUrl, [.. WebhookEvents]), me.Actor, ct)).Secret;
        WebhookUrl = null;

        // Rendered, not redirected: the secret is shown this once and never again.
        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostDeleteWebhookAsync(int webhookId, CancellationToken ct)
    {
        await webhooks.Delete(OrgId, webhookId, ct);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        NewSecret = (await keys.Create(OrgId, new CreateKeyRequest(Name, Scopes), me.Actor, ct)).Secret;
        Name = null;

        // Rendered, not redirected: the secret is shown this once and never again.
        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(int keyId, CancellationToken ct)
    {
        await keys.Revoke(OrgId, keyId, ct);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostAutoCoverAsync(bool enabled, CancellationToken ct)
    {
        await autoCover.Set(OrgId, enabled, ct);
        return RedirectToPage();
    }

    /// <summary>A refused webhook is said by the webhooks' form, a refused key by the keys' form.</summary>
    protected override async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        var page = await base.RefusedAsync(refusal, ct);
        if (Handler == "Webhook")
        {
            (WebhookError, Error) = (refusal.Message + " No webhook was added.", null);
        }

        return page;
    }

    protected override async Task ReloadAsync(CancellationToken ct) => await OnGetAsync(ct);
}
