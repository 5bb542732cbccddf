using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>Integration keys: a registration system sends changes for its own organization only.</summary>
[Collection(AppCollection.Name)]
public class IntegrationTests(AppFactory app)
{
    [Fact]
    public async Task IntegrationKey_MaySendChanges_ForItsOrganizationOnly_UntilRevoked()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 5);
        var created = await (await api.PostAsJsonAsync($"/api/orgs/{orgId}/integration-keys", new { name = "Registration system" })).Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("secret").GetString()!;
        var keyId = created.GetProperty("key").GetProperty("id").GetInt32();
        Assert.DoesNotContain(secret, await app.WithDb(db => db.IntegrationKeys.Select(k => k.SecretHash).SingleAsync(k => true)), StringComparison.Ordinal);

        using var machine = app.CreateClient();
        machine.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var accepted = await BatchApi.Submit(machine, orgId, eventId, [BatchApi.Change("m1", "p1", "added", DateTime.UtcNow)]);
        Assert.Equal("done", (await BatchApi.WaitUntilFinished(machine, orgId, accepted.GetProperty("batchId").GetString()!)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await machine.GetAsync($"/api/orgs/{orgId}/pools")).StatusCode);
        var acme = await app.OrgId("Acme Events");
        var summit = await app.EventNamed("Acme Summit 2026");
        Assert.Equal(HttpStatusCode.NotFound, (await machine.PostAsJsonAsync($"/api/orgs/{acme}/events/{summit.Id}/participant-changes", new { changes = new[] { BatchApi.Change("z", "z", "added", DateTime.UtcNow) } })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/orgs/{orgId}/integration-keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await machine.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new { changes = new[] { BatchApi.Change("m2", "p2", "added", DateTime.UtcNow) } })).StatusCode);
    }
}
