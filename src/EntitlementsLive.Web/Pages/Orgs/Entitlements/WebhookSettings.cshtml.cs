using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The organization's webhooks: add one (its signing secret shown once), list them, delete one.</summary>
public sealed class WebhookSettingsModel(CurrentUser me, ManageWebhooks webhooks) : OrgPageModel
{
    public IReadOnlyList<WebhookDto> Webhooks { get; private set; } = [];

    [BindProperty]
    public string? WebhookUrl { get; set; }

    [BindProperty]
    public List<string> WebhookEvents { get; set; } = [];

    /// <summary>A new webhook's signing secret, shown this once.</summary>
    public string? NewWebhookSecret { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Webhooks = await webhooks.List(OrgId, ct);

    public async Task OnPostAsync(CancellationToken ct)
    {
        // Rendered, not redirected: the secret is shown this once and never again.
        (NewWebhookSecret, WebhookUrl) = ((await webhooks.Create(OrgId, new WebhookRequest(WebhookUrl, [.. WebhookEvents]), me.Actor, ct)).Secret, null);
        await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(int webhookId, CancellationToken ct)
    {
        await webhooks.Delete(OrgId, webhookId, ct);
        return RedirectToPage();
    }

    protected override string Unchanged => "No webhook was added.";

    protected override Task ReloadAsync(CancellationToken ct) => OnGetAsync(ct);
}
