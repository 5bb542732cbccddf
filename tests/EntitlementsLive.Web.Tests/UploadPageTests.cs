using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EntitlementsLive.Domain;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

[Collection(AppCollection.Name)]
public class UploadPageTests(AppFactory app)
{
    private static async Task<HttpResponseMessage> Upload(HttpClient client, string pageUrl, string csv)
    {
        var page = await client.GetStringAsync(pageUrl);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "Upload", "changes.csv");
        form.Add(new StringContent(Browserless.Token(page)), "__RequestVerificationToken");
        return await client.PostAsync(pageUrl + "/Upload", form);
    }

    /// <summary>The upload answers with a redirect to the event page, which shows the outcome once.</summary>
    private static async Task<string> Outcome(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetStringAsync(response.Headers.Location);
    }

    [Fact]
    public async Task CsvUpload_FeedsTheSameBatchPath_AndIsApplied()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5);
        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var client = await app.PagesAs(email);
        var url = $"/Orgs/{orgId}/Events/{eventId}";
        var at = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

        var response = await Upload(client, url, $"changeId,participantRef,type,occurredAt\nu1,ann,added,{at}\nu2,\"bob, jr\",added,{at}\nu3,ann,activated,{at}\n");

        Assert.Contains("3 changes accepted", await Outcome(client, response), StringComparison.Ordinal);
        using var api = await app.ApiAs(email);
        var batchId = await app.WithDb(db => db.ParticipantBatches.Where(b => b.EventId == eventId).Select(b => b.Id).SingleAsync());
        var status = await ParticipantBatchTests.WaitUntilFinished(api, orgId, batchId);
        Assert.Equal(3, status.GetProperty("applied").GetInt32());
        Assert.Equal(2, await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync()));
        Assert.Contains("data-testid=\"batches\"", await client.GetStringAsync(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvUpload_WithBadRows_NamesThem_AndStoresNothing()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 5);
        using var client = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var before = await app.WithDb(db => db.ParticipantBatches.CountAsync());

        var response = await Upload(client, $"/Orgs/{orgId}/Events/{eventId}", "changeId,participantRef,type,occurredAt\nu1,ann,added,2026-01-01T00:00:00Z\nu2,bob,vanished,2026-01-01T00:00:00Z\n");
        var html = await Outcome(client, response);

        Assert.Contains("Nothing was stored.", html, StringComparison.Ordinal);
        Assert.Contains("row 2", html, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDb(db => db.ParticipantBatches.CountAsync()));

        var noHeader = await Upload(client, $"/Orgs/{orgId}/Events/{eventId}", "u1,ann,added,2026-01-01T00:00:00Z\n");
        Assert.Contains("must name the columns", await Outcome(client, noHeader), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTeam_CannotUpload()
    {
        using var client = await app.PagesAs("team@acme.test");
        var summit = await app.EventNamed("Acme Summit 2026");
        var page = await client.GetStringAsync($"/Orgs/{summit.OrganizationId}/Events/{summit.Id}");
        Assert.DoesNotContain("data-testid=\"upload-file\"", page, StringComparison.Ordinal);
        var response = await Upload(client, $"/Orgs/{summit.OrganizationId}/Events/{summit.Id}", "changeId,participantRef,type,occurredAt\nx,y,added,2026-01-01T00:00:00Z\n");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
