using System.Net.Http.Json;
using MiniExcelLibs;
using System.Globalization;
using System.Net;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>The transaction history: keyset pages and streamed exports.</summary>
[Collection(AppCollection.Name)]
public class HistoryTests(AppFactory app)
{
    [Fact]
    public async Task Csv_And_Xlsx_HoldEveryRowOfTheHistory()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 50, participants: 3);
        for (var i = 0; i < 7; i++)
        {
            await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
                h.Handle(orgId, eventId, new(ProductCodes.Subscription, i + 1, "e" + i), "exporter@test, \"quoted\"", CancellationToken.None));
        }

        var userId = await app.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users.Where(u => u.Email == "admin@globex.test").Select(u => u.Id)));
        await app.WithDb(async db => { db.Memberships.Add(Membership.Administrator(userId, orgId)); return await db.SaveChangesAsync(); });
        using var client = await app.ApiAs("admin@globex.test");

        var csv = await client.GetAsync($"/api/orgs/{orgId}/transactions/export?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 8, lines.Length); // header, 7 transfers, 1 purchase
        Assert.StartsWith("Id,Sequence,Kind", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"exporter@test, \"\"quoted\"\"\"", lines[1], StringComparison.Ordinal);

        var xlsx = await client.GetAsync($"/api/orgs/{orgId}/transactions/export?format=xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        await using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(8, rows.Count);
        Assert.Equal("transfer", rows[0]["Kind"]);
        Assert.Equal("purchase", rows[^1]["Kind"]);
        Assert.Equal(7d, Convert.ToDouble(rows[0]["Quantity"], System.Globalization.CultureInfo.InvariantCulture));

        var filtered = await client.GetStringAsync($"/api/orgs/{orgId}/transactions/export?format=csv&kind=purchase");
        Assert.Equal(2, filtered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var bad = await client.GetAsync($"/api/orgs/{orgId}/transactions/export?format=pdf");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
    }

    [Fact]
    public async Task PoolsAndEvents_ExportAsTheirTabsShowThem_InCsvAndXlsx()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 50, participants: 12, modules: ProductCodes.LeadRetrieval);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 5);
        var pastEvent = await app.WithDb(async db =>
        {
            var e = new Event(orgId, "=HYPERLINK(\"x\") past", DateTime.UtcNow.AddDays(-10), DateTime.UtcNow.AddDays(-9));
            e.AnnouncePast(); // created past: there is no move from Live to Past to announce
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
        using var api = await app.ApiAs(await app.NewUser(u => Membership.Administrator(u, orgId)));

        var pools = await api.GetAsync($"/api/orgs/{orgId}/pools/export?format=csv");
        Assert.Equal(HttpStatusCode.OK, pools.StatusCode);
        Assert.StartsWith($"attachment; filename=\"pools-{orgId}-", pools.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var lines = (await pools.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Product code,Product,Kind,Purchased,Transferred,Available,Required by events,Allocated to events,Missing", lines[0]);
        Assert.Contains("SUBSCRIPTION,Subscription,subscription,50,5,45,12,5,7", lines, StringComparer.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("LEAD_RETRIEVAL,", StringComparison.Ordinal));

        var events = await api.GetAsync($"/api/orgs/{orgId}/events/export?format=xlsx&status=all");
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        await using var stream = new MemoryStream(await events.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(2, rows.Count);
        var live = rows.Single(r => Convert.ToInt32(r["Id"], System.Globalization.CultureInfo.InvariantCulture) == eventId);
        Assert.Equal("live", live["Status"]);
        Assert.Equal("yes", live["Missing entitlements"]);
        Assert.Equal(12d, Convert.ToDouble(live["Subscription required"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5d, Convert.ToDouble(live["Subscription allocated"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(7d, Convert.ToDouble(live["Subscription missing"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", Convert.ToString(live["Starts at"], System.Globalization.CultureInfo.InvariantCulture));

        var missingPast = await api.GetStringAsync($"/api/orgs/{orgId}/events/export?format=csv&status=past");
        var pastLines = missingPast.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, pastLines.Length);
        Assert.StartsWith($"{pastEvent},\"'=HYPERLINK(\"\"x\"\") past\"", pastLines[1], StringComparison.Ordinal);
        var missingOnly = await api.GetStringAsync($"/api/orgs/{orgId}/events/export?format=csv&missingOnly=true");
        Assert.Equal(2, missingOnly.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task History_PagesWithACursor_NewestFirst_WithoutGapsOrRepeats()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);
        for (var i = 0; i < 11; i++)
        {
            await app.With<Features.Transfers.TransferToEvent, Features.Transfers.TransferResult>(h =>
                h.Handle(orgId, eventId, new(ProductCodes.Subscription, 1, "p" + i), "pager", CancellationToken.None));
        }

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await app.With<Features.Transactions.TransactionQueries, Features.Transactions.TransactionPage>(q =>
                q.Page(orgId, new(), 4, cursor, CancellationToken.None));
            seen.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(12, seen.Count);
        Assert.Equal(seen.OrderByDescending(x => x), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task EventTransfers_ArePagedWithACursor_OnTheApi_AndThePageShowsTheNewest()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 100);
        var ids = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add((await app.Transfer(orgId, eventId, ProductCodes.Subscription, 1)).Transaction.Id);
        }

        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        using var api = await app.ApiAs(email);
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlements?limit=10" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").ValueKind == System.Text.Json.JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.GetAsync($"/api/orgs/{orgId}/events/{eventId}/entitlements?cursor=nope")).StatusCode);
        using var team = await app.ApiAs(await app.NewUser(u => Membership.Team(u, orgId, eventId)));
        var asTeam = await team.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/orgs/{orgId}/events/{eventId}/entitlements");
        Assert.Equal(0, asTeam.GetProperty("transactions").GetArrayLength());

        using var pages = await app.PagesAs(email);
        var html = await pages.GetStringAsync($"/Orgs/{orgId}/Events/{eventId}");
        Assert.Equal(Features.Events.EventQueries.DetailTransactions, System.Text.RegularExpressions.Regex.Count(html, "class=\"list-group-item bg-transparent px-0 tx-item\""));
        Assert.Contains("All of them in Transaction History", html, StringComparison.Ordinal);
    }
}
