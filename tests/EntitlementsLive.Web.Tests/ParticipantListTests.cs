using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Participants;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace EntitlementsLive.Web.Tests;

/// <summary>Who counts and why: the participants list, its filters and pages, one participant's history, the exports and the tab.</summary>
[Collection(AppCollection.Name)]
public class ParticipantListTests(AppFactory app)
{
    private static readonly DateTime T0 = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    private static readonly string[] CountedFirst = ["ann", "ben", "dan", "eve"];

    /// <summary>Five kinds of participant, a cancel that arrives late, and 40 plain registrations to page through.</summary>
    private async Task<(HttpClient Api, int OrgId, int EventId)> World()
    {
        var (api, orgId, eventId) = await app.ApiAdminOf(subscriptions: 100);
        var changes = new List<object>
        {
            BatchApi.Change("ann-1", "ann", "added", T0),
            BatchApi.Change("ben-1", "ben", "added", T0),
            BatchApi.Change("ben-2", "ben", "activated", T0.AddHours(1)),
            BatchApi.Change("ben-3", "ben", "cancelled", T0.AddHours(2)),
            BatchApi.Change("cat-1", "cat", "added", T0),
            BatchApi.Change("cat-2", "cat", "cancelled", T0.AddHours(1)),
            BatchApi.Change("dan-1", "dan", "added", T0),
            BatchApi.Change("dan-2", "dan", "cancelled", T0.AddHours(1)),
            BatchApi.Change("dan-3", "dan", "reinstated", T0.AddHours(2)),
            BatchApi.Change("eve-1", "eve", "activated", T0),
            BatchApi.Change("eve-2", "eve", "activated", T0.AddHours(1)),
            BatchApi.Change("fay-1", "fay", "added", T0.AddHours(1)),
            BatchApi.Change("fay-0", "fay", "cancelled", T0),
        };
        changes.AddRange(Enumerable.Range(1, 40).Select(i => BatchApi.Change($"z-{i}", $"zz-{i:000}", "added", T0.AddMinutes(i))));
        var batch = await BatchApi.Submit(api, orgId, eventId, changes);
        await BatchApi.WaitUntilFinished(api, orgId, batch.GetProperty("batchId").GetString()!);

        // Sent later, but it occurred before dan's reinstatement: it changes nothing, and the history says so.
        var late = await BatchApi.Submit(api, orgId, eventId, [BatchApi.Change("dan-0", "dan", "cancelled", T0.AddHours(1.5))]);
        await BatchApi.WaitUntilFinished(api, orgId, late.GetProperty("batchId").GetString()!);
        return (api, orgId, eventId);
    }

    private static async Task<List<JsonElement>> Items(HttpClient api, string url)
    {
        var page = await api.GetFromJsonAsync<JsonElement>(url);
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task EachParticipant_SaysWhetherItCounts_AndWhy()
    {
        var (api, orgId, eventId) = await World();
        var root = $"/api/orgs/{orgId}/events/{eventId}/participants";

        var items = await Items(api, root + "?q=&limit=5");
        Assert.Equal(["ann", "ben", "cat", "dan", "eve"], items.Select(i => i.GetProperty("participantRef").GetString()));

        // In one batch, changes apply by when they occurred: fay's cancel (09:00) came before her add (10:00), and changed nothing after it.
        var fay = await api.GetFromJsonAsync<JsonElement>(root + "/history?participantRef=fay");
        Assert.Equal(("added", true), (fay.GetProperty("participant").GetProperty("state").GetString(), fay.GetProperty("participant").GetProperty("counted").GetBoolean()));
        var eve = (await api.GetFromJsonAsync<JsonElement>(root + "/history?participantRef=eve")).GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal([null, "The app was already activated."], eve.Select(c => c.GetProperty("note").ValueKind == JsonValueKind.Null ? null : c.GetProperty("note").GetString()));
        var byRef = items.ToDictionary(i => i.GetProperty("participantRef").GetString()!);
        Assert.Equal(("added", false, true, "Counted: registered."), Describe(byRef["ann"]));
        Assert.Equal(("cancelled", true, true, "Counted: cancelled after activating the app, and a participant who used the app still counts."), Describe(byRef["ben"]));
        Assert.Equal(("cancelled", false, false, "Not counted: cancelled before activating the app."), Describe(byRef["cat"]));
        Assert.Equal(("reinstated", false, true, "Counted: reinstated after a cancellation."), Describe(byRef["dan"]));
        Assert.Equal(("unregistered", true, true, "Counted: activated the app; no registration has arrived yet."), Describe(byRef["eve"]));
        Assert.Equal("2026-03-01T11:00:00Z", byRef["ben"].GetProperty("lastChangedAt").GetString());

        // The list agrees with the event's counter, which decides what the event must be given.
        var counts = await api.GetFromJsonAsync<JsonElement>(root + "/counts");
        var counted = await app.WithDb(db => db.Events.Where(e => e.Id == eventId).Select(e => e.CountedParticipants).SingleAsync());
        Assert.Equal((46, counted, 1, 1, 2), (counts.GetProperty("total").GetInt32(), counts.GetProperty("counted").GetInt32(),
            counts.GetProperty("notCounted").GetInt32(), counts.GetProperty("cancelledAfterActivation").GetInt32(), counts.GetProperty("activated").GetInt32()));
        Assert.Equal(45, counted);

        static (string?, bool, bool, string?) Describe(JsonElement p) => (p.GetProperty("state").GetString(), p.GetProperty("activated").GetBoolean(),
            p.GetProperty("counted").GetBoolean(), p.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Filters_Search_AndPages_MissNothing_AndRepeatNothing()
    {
        var (api, orgId, eventId) = await World();
        var root = $"/api/orgs/{orgId}/events/{eventId}/participants";

        Assert.Equal(["cat"], (await Items(api, root + "?counted=false")).Select(i => i.GetProperty("participantRef").GetString()));
        Assert.Equal(["ben"], (await Items(api, root + "?state=cancelled&activated=true")).Select(i => i.GetProperty("participantRef").GetString()));
        Assert.Equal(["dan"], (await Items(api, root + "?state=reinstated")).Select(i => i.GetProperty("participantRef").GetString()));
        Assert.Equal(["zz-010", "zz-011", "zz-012"], (await Items(api, root + "?q=zz-01&limit=3")).Select(i => i.GetProperty("participantRef").GetString()));
        Assert.Empty(await Items(api, root + "?q=nobody"));

        // Pages of 7 over the counted ones (several index ranges merged): every counted participant once, in order.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>(root + "?counted=true&limit=7" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("participantRef").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        var expected = CountedFirst.Append("fay").Concat(Enumerable.Range(1, 40).Select(i => $"zz-{i:000}")).ToList();
        Assert.Equal(expected, seen);

        foreach (var bad in new[] { "?limit=0", "?limit=501", "?cursor=%%%", "?cursor=Zm9v_", "?state=gone", "?state=Cancelled", "?q=%00x" })
        {
            var response = await api.GetAsync(root + bad);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task History_ShowsEveryChange_WhoSentIt_AndWhichOnesChangedNothing()
    {
        var (api, orgId, eventId) = await World();
        var history = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{orgId}/events/{eventId}/participants/history?participantRef=dan");

        Assert.Equal("reinstated", history.GetProperty("participant").GetProperty("state").GetString());
        var changes = history.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["dan-1", "dan-2", "dan-0", "dan-3"], changes.Select(c => c.GetProperty("changeId").GetString()));
        Assert.Equal(["added", "cancelled", "cancelled", "reinstated"], changes.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal([null, null, "Arrived after a later status change, which stands.", null],
            changes.Select(c => c.GetProperty("note").ValueKind == JsonValueKind.Null ? null : c.GetProperty("note").GetString()));
        Assert.All(changes, c => Assert.EndsWith("@test.example", c.GetProperty("source").GetString(), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/orgs/{orgId}/events/{eventId}/participants/history?participantRef=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.GetAsync($"/api/orgs/{orgId}/events/{eventId}/participants/history")).StatusCode);
    }

    [Fact]
    public async Task Exports_HoldEveryParticipantTheFilterSelects()
    {
        var (api, orgId, eventId) = await World();
        var root = $"/api/orgs/{orgId}/events/{eventId}/participants/export";

        var csv = await api.GetAsync(root + "?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith($"attachment; filename=\"participants-{eventId}-", csv.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Participant reference,State,Activated the app,Counted,Why,Last change at", lines[0]);
        Assert.Equal(47, lines.Length);
        Assert.Equal("cat,cancelled,no,no,Not counted: cancelled before activating the app.,2026-03-01T10:00:00Z", lines[3]);

        var xlsx = await api.GetAsync(root + "?format=xlsx&counted=false");
        await using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal("cat", Assert.Single(rows)["Participant reference"]);

        var bad = await api.GetAsync(root + "?format=pdf");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.GetAsync(root + "?state=nope")).StatusCode);
    }

    [Fact]
    public async Task Tab_ListsFiltersAndOpensAHistory_AndSaysWhatIsWrong()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await app.With<ApplyParticipantChanges, ParticipantChangesResult>(h => h.Handle(orgId, eventId,
        [
            new("k1", "kim", ParticipantChangeType.Added, T0),
            new("k2", "kim", ParticipantChangeType.Cancelled, T0.AddHours(1)),
            new("l1", "lee", ParticipantChangeType.Added, T0),
        ], CancellationToken.None));
        var userId = await app.WithDb(db => db.Users.Where(u => u.Email == "admin@globex.test").Select(u => u.Id).SingleAsync());
        await app.WithDb(async db => { db.Memberships.Add(Membership.Administrator(userId, orgId)); return await db.SaveChangesAsync(); });
        using var client = await app.PagesAs("admin@globex.test");
        var page = $"/Orgs/{orgId}/Events/{eventId}/Participants";

        var all = await client.GetStringAsync(page);
        Assert.Contains("data-participant-row=\"kim\"", all, StringComparison.Ordinal);
        Assert.Contains("Not counted: cancelled before activating the app.", all, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"participants-not-counted\">1<", all, StringComparison.Ordinal);

        var notCounted = await client.GetStringAsync(page + "?show=not-counted");
        Assert.Contains("data-participant-row=\"kim\"", notCounted, StringComparison.Ordinal);
        Assert.DoesNotContain("data-participant-row=\"lee\"", notCounted, StringComparison.Ordinal);

        var open = await client.GetStringAsync(page + "?open=kim");
        Assert.Contains("data-testid=\"participant-history\"", open, StringComparison.Ordinal);
        Assert.Contains("data-change-id=\"k2\"", open, StringComparison.Ordinal);
        var fragment = await client.GetStringAsync(page + "?handler=History&participantRef=lee");
        Assert.Contains("data-change-id=\"l1\"", fragment, StringComparison.Ordinal);

        var wrong = await client.GetStringAsync(page + "?show=everyone");
        Assert.Contains("data-testid=\"participants-error\"", wrong, StringComparison.Ordinal);
        var badCursor = await client.GetStringAsync(page + "?cursor=nonsense");
        Assert.Contains("The cursor is not one this API returned.", badCursor, StringComparison.Ordinal);

        var eventPage = await client.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}");
        Assert.Contains("data-testid=\"event-tab-participants\"", eventPage, StringComparison.Ordinal);
    }
}
