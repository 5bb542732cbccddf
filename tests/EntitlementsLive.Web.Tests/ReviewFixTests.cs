using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Jobs;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

[Collection(AppCollection.Name)]
public class ReviewFixTests(AppFactory app)
{
    [Fact]
    public async Task EventTeam_ReadsCoverage_ButNotTheTransfers()
    {
        var summit = await app.EventNamed("Acme Summit 2026");
        using var team = await app.ApiAs("team@acme.test");
        using var admin = await app.ApiAs("admin@acme.test");
        var url = $"/api/orgs/{summit.OrganizationId}/events/{summit.Id}/entitlements";

        var asTeam = await team.GetFromJsonAsync<JsonElement>(url);
        var asAdmin = await admin.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(0, asTeam.GetProperty("transactions").GetArrayLength());
        Assert.True(asAdmin.GetProperty("transactions").GetArrayLength() > 0);
        Assert.Equal(asAdmin.GetProperty("countedParticipants").GetInt32(), asTeam.GetProperty("countedParticipants").GetInt32());
    }

    [Fact]
    public async Task Reconcile_ThatTurnsAnEventBack_UpdatesTheOrganizationsMissingCount()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.Subscription, 4, "cover"), "test", CancellationToken.None));
        await app.WithDb(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE Events SET CountedParticipants = 9, IsMissing = 1 WHERE Id = {0}", eventId);
            return await db.Database.ExecuteSqlRawAsync("UPDATE EventProducts SET Required = 9 WHERE EventId = {0}", eventId);
        });
        var before = await app.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());

        await app.With<MaintenanceJobs, int>(j => j.ReconcileCounters());

        var messages = await app.WithDb(db => db.Outbox.Where(m => m.OrganizationId == orgId && m.Sequence > before).Select(m => m.Type).ToListAsync());
        Assert.Contains("MissingEntitlementsChanged", messages);
        Assert.False(await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.IsMissing).SingleAsync()));
    }

    [Fact]
    public async Task AdminOfAnOrganizationWithoutEntitlements_ReceivesNothingLive()
    {
        var initech = await app.OrgId("Initech Meetups");
        Assert.True(await app.WithDb(db => db.Outbox.AnyAsync(m => m.OrganizationId == initech)));
        await using var client = await LiveClient.Connect(app, "admin@initech.test");

        var replay = await client.Connection.InvokeAsync<JsonElement>("Resume", initech, 0L);

        Assert.Equal(0, replay.GetProperty("replayed").GetInt32());
        Assert.Empty(await client.Drain());
    }

    [Fact]
    public async Task SignInPage_SaysTheSame_ForAWrongPassword_AnUnknownEmail_AndALockedAccount()
    {
        var email = await app.NewUser(u => Membership.Ops(u));
        string Error(string html) => System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"login-error\">([^<]*)<").Groups[1].Value;
        async Task<string> Attempt(string who, string password)
        {
            using var client = await app.PagesAs(null);
            var token = await Browserless.AntiForgery(client, "/Account/Login");
            var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = who, ["Password"] = password, ["__RequestVerificationToken"] = token,
            }));
            return Error(await response.Content.ReadAsStringAsync());
        }

        var unknown = await Attempt("nobody@nowhere.test", "nope");
        for (var i = 0; i < 6; i++)
        {
            await Attempt(email, "wrong");
        }

        var locked = await Attempt(email, Demo.DemoSeeder.Password);
        Assert.NotEmpty(unknown);
        Assert.Equal(unknown, locked);
    }
}

[Collection(AppCollection.Name)]
public class ConsumptionTests(AppFactory app)
{
    [Fact]
    public async Task ConsumptionFigures_FollowEveryChange()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 20, participants: 6);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        async Task<(long Allocated, long Required)> Read()
        {
            var rows = await pages.GetFromJsonAsync<JsonElement>($"/Orgs/{orgId}/Entitlements?handler=Consumption");
            var subscription = rows.EnumerateArray().Single(r => r.GetProperty("productCode").GetString() == ProductCodes.Subscription);
            return (subscription.GetProperty("allocated").GetInt64(), subscription.GetProperty("required").GetInt64());
        }

        Assert.Equal((0L, 6L), await Read());
        await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
            h.Handle(orgId, eventId, new(ProductCodes.Subscription, 4, "c1"), "test", CancellationToken.None));
        Assert.Equal((4L, 6L), await Read());
        await app.With<Features.Participants.ApplyParticipantChanges, Features.Participants.ParticipantChangesResult>(h =>
            h.Handle(orgId, eventId, [new("more-1", "late-arrival", ParticipantChangeType.Added, DateTime.UtcNow)], CancellationToken.None));
        Assert.Equal((4L, 7L), await Read());
    }
}
