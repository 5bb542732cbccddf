using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>The steps many tests share: a transfer through the handler, an admin of a fresh organization.</summary>
public static class Scenarios
{
    public static Task<TransferResult> Transfer(this AppFactory app, int orgId, int eventId, string product, int? quantity, string? key = null) =>
        app.With<TransferToEvent, TransferResult>(h => h.Handle(orgId, eventId, new TransferRequest(product, quantity, key ?? Guid.NewGuid().ToString()), "test", CancellationToken.None));

    /// <summary>Another event of an existing organization, live for a month.</summary>
    public static Task<int> NewOrganizationEvent(this AppFactory app, int orgId) => app.WithDb(async db =>
    {
        var e = new Event(orgId, "Another event", DateTime.UtcNow, DateTime.UtcNow.AddDays(30));
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e.Id;
    });

    /// <summary>A fresh organization and an API client of a new administrator of it.</summary>
    public static async Task<(HttpClient Api, int OrgId, int EventId)> ApiAdminOf(this AppFactory app, long subscriptions, bool autoCover = false)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions);
        if (autoCover)
        {
            await app.WithDb(async db =>
            {
                var org = await db.Organizations.SingleAsync(o => o.Id == orgId);
                org.SetAutoCover(true);
                return await db.SaveChangesAsync();
            });
        }

        return (await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId))), orgId, eventId);
    }

    /// <summary>A fresh organization whose administrator is also Globex's admin, signed in to the pages.</summary>
    public static async Task<(HttpClient Client, int OrgId, int EventId)> PagesAdminOf(this AppFactory app, long subscriptions, int participants, params string[] modules)
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions, participants, modules: modules);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var adminId = await db.Users.Where(u => u.Email == "admin@globex.test").Select(u => u.Id).SingleAsync();
        db.Memberships.Add(Membership.Administrator(adminId, orgId));
        await db.SaveChangesAsync();
        return (await app.PagesAs("admin@globex.test"), orgId, eventId);
    }
}

/// <summary>Participant-change batches through the API, as a registration system sends them.</summary>
public static class BatchApi
{
    public static object Change(string id, string participant, string type, DateTime at) =>
        new { changeId = id, participantRef = participant, type, occurredAt = at.ToString("O") };

    public static async Task<JsonElement> Submit(HttpClient api, int orgId, int eventId, IEnumerable<object> changes, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/participant-changes", new { changes });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {body}");
        return body;
    }

    /// <summary>Polls the batch's status (the job runs in the background) until it is done or failed.</summary>
    public static async Task<JsonElement> WaitUntilFinished(HttpClient api, int orgId, string batchId)
    {
        for (var i = 0; i < 300; i++)
        {
            var status = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/participant-batches/{batchId}");
            if (status.GetProperty("status").GetString() is "done" or "failed")
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The batch did not finish in 30 s.");
    }
}
