using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Webhooks;

/// <summary>The webhooks part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class WebhooksEndpoints
{
    public static ApiGroups MapWebhooks(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapPost("/webhooks", async (int orgId, Webhooks.WebhookRequest body, CurrentUser me, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
        {
            var created = await webhooks.Create(orgId, body, me.Actor, ct);
            return TypedResults.Created($"/api/orgs/{orgId}/webhooks/{created.Id}", created);
        }).WithSummary("Adds a webhook (url, events: alert.raised, alert.resolved, transaction.recorded, event.coverage-changed); its signing secret is shown once.");

        manage.MapGet("/webhooks", async (int orgId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) => TypedResults.Ok(await webhooks.List(orgId, ct)))
            .WithSummary("The organization's webhooks (never their secrets).");

        manage.MapDelete("/webhooks/{webhookId:int}", async (int orgId, int webhookId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
        {
            await webhooks.Delete(orgId, webhookId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Deletes a webhook; its pending deliveries stop.");

        manage.MapGet("/webhooks/{webhookId:int}/deliveries", async (int orgId, int webhookId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok((await webhooks.Deliveries(orgId, webhookId, ct)).Deliveries))
            .WithSummary("The webhook's newest 200 deliveries: status, attempts, last response code or error.");

        manage.MapGet("/webhooks/{webhookId:int}/deliveries/{deliveryId:long}/attempts", async (int orgId, int webhookId, long deliveryId, Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok(await webhooks.Attempts(orgId, webhookId, deliveryId, ct)))
            .WithSummary("Every attempt of one delivery, oldest first: when, status code or error, duration.");

        manage.MapPost("/webhooks/{webhookId:int}/deliveries/{deliveryId:long}/redeliver", async (int orgId, int webhookId, long deliveryId,
            Webhooks.ManageWebhooks webhooks, CancellationToken ct) =>
            TypedResults.Ok(await webhooks.Redeliver(orgId, webhookId, deliveryId, ct)))
            .WithSummary("Sends a delivery again, with the same message id and a fresh 24 hours of retries.");

        return groups;
    }
}
