using EntitlementsLive.Web.Features.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>One webhook's deliveries: status, attempts, the last answer, and a redeliver button.</summary>
public sealed class WebhooksModel(ManageWebhooks webhooks) : OrgPageModel
{
    public const string Redelivered = "Redelivered";

    [FromRoute]
    public int WebhookId { get; set; }

    public WebhookDto Webhook { get; private set; } = null!;

    public IReadOnlyList<DeliveryDto> Deliveries { get; private set; } = [];

    /// <summary>Every attempt of each delivery shown, oldest first.</summary>
    public ILookup<long, AttemptDto> Attempts { get; private set; } = Array.Empty<AttemptDto>().ToLookup(_ => 0L);

    public async Task OnGetAsync(CancellationToken ct)
    {
        (Webhook, Deliveries) = await webhooks.Deliveries(OrgId, WebhookId, ct);
        Attempts = await webhooks.AttemptsOf(Deliveries.Select(d => d.Id).ToList(), ct);
    }

    public async Task<IActionResult> OnPostRedeliverAsync(long deliveryId, CancellationToken ct)
    {
        await webhooks.Redeliver(OrgId, WebhookId, deliveryId, ct);
        TempData[Redelivered] = $"Delivery {deliveryId} is being sent again.";
        return RedirectToPage(new { orgId = OrgId, webhookId = WebhookId });
    }
}
