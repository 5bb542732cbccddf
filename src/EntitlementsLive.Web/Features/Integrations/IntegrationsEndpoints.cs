using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Integrations;

/// <summary>The integrations part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class IntegrationsEndpoints
{
    public static ApiGroups MapIntegrations(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapGet("/integration-keys", async (int orgId, IntegrationKeys keys, CancellationToken ct) =>
            TypedResults.Ok(await keys.List(orgId, ct)))
            .WithSummary("The organization's integration keys (never their secrets).");

        manage.MapPost("/integration-keys", async (int orgId, CreateKeyRequest body, CurrentUser me, IntegrationKeys keys, CancellationToken ct) =>
        {
            var created = await keys.Create(orgId, body, me.Actor, ct);
            return TypedResults.Created($"/api/orgs/{orgId}/integration-keys/{created.Key.Id}", new { key = created.Key, secret = created.Secret });
        }).WithSummary("Creates a key for a registration system; the secret is shown once.");

        manage.MapDelete("/integration-keys/{keyId:int}", async (int orgId, int keyId, IntegrationKeys keys, CancellationToken ct) =>
        {
            await keys.Revoke(orgId, keyId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revokes a key at once.");

        return groups;
    }
}
