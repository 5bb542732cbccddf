using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Notifications;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>Alerts and requests by mail, against a loopback SMTP receiver: one each, a digest over a burst, the user's choice.</summary>
[Collection(AppCollection.Name)]
public sealed class NotificationMailTests : IDisposable
{
    private readonly MailTests.SmtpReceiver _smtp = new();
    private readonly NotifyingApp _app;

    public NotificationMailTests() => _app = new NotifyingApp(_smtp.Port);

    public void Dispose()
    {
        _app.Dispose();
        _smtp.Dispose();
    }

    [Fact]
    public async Task OneMailPerAlertAndRequest_ADigestOverABurst_NoneForAKindTurnedOff_AndNeverTwice()
    {
        var (orgId, eventId) = await _app.NewOrganization(subscriptions: 100, participants: 100);
        var adminEmail = await _app.NewUser(u => Membership.Administrator(u, orgId));
        var teamEmail = await _app.NewUser(u => Membership.Team(u, orgId, eventId));
        using var admin = await _app.ApiAs(adminEmail);
        using var team = await _app.ApiAs(teamEmail);
        var me = await admin.GetFromJsonAsync<JsonElement>("/api/me/notifications");
        Assert.True(me.GetProperty("alertRaised").GetBoolean() && me.GetProperty("requests").GetBoolean() && me.GetProperty("mailConfigured").GetBoolean());

        // One alert: one mail, with the page that acts on it and a way out.
        await Levels(admin, orgId, 95);
        await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 8);
        var one = Unfold(await _smtp.Next(adminEmail));
        Assert.Contains("Subscription is low", one, StringComparison.Ordinal);
        Assert.Contains($"/Orgs/{orgId}/Entitlements/Alerts", one, StringComparison.Ordinal);
        Assert.Contains("/Account/Unsubscribe?token=", one, StringComparison.Ordinal);

        // Several alerts at once: one digest.
        await Levels(admin, orgId, 95, 90, 85, 80, 75);
        var crossing = await Crossing(orgId, eventId, to: 70);
        var digest = Unfold(await _smtp.Next(adminEmail));
        Assert.Contains($"{crossing} updates", digest, StringComparison.Ordinal);

        // Alerts raised turned off: the team's request is the next mail, and no alert comes with it.
        var off = await admin.PutAsJsonAsync("/api/me/notifications", new { alertRaised = false, alertResolved = false, requests = true });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        await Levels(admin, orgId, 65);
        await _app.Transfer(orgId, eventId, ProductCodes.Subscription, 10);
        var asked = await team.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/entitlement-requests", new { note = "please" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var request = Unfold(await _smtp.Next(adminEmail));
        Assert.Contains("asks you to cover", request, StringComparison.Ordinal);
        Assert.DoesNotContain("is low", request, StringComparison.Ordinal);
        Assert.Contains($"/Orgs/{orgId}/Entitlements/Requests", request, StringComparison.Ordinal);

        // The team hears the answer.
        var id = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await admin.PostAsJsonAsync($"/api/orgs/{orgId}/entitlement-requests/{id}/decline", new { reason = "Budget spent." });
        var answer = Unfold(await _smtp.Next(teamEmail));
        Assert.Contains("is declined: Budget spent.", answer, StringComparison.Ordinal);

        // A second drain of the same messages (what a restart or a second node does) and a second sweep send nothing more.
        var before = await _app.WithDb(db => db.MailNotifications.CountAsync(n => n.OrganizationId == orgId));
        var rows = await _app.WithDb(db => db.Outbox.AsNoTracking().Where(m => m.OrganizationId == orgId).OrderBy(m => m.Sequence).ToListAsync());
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            foreach (var observer in scope.ServiceProvider.GetServices<IOutboxObserver>())
            {
                await observer.ObserveAsync(orgId, rows, CancellationToken.None);
            }
        }

        Assert.Equal(0, await _app.Services.GetRequiredService<MailSender>().SendDueAsync(CancellationToken.None));
        Assert.Equal(before, await _app.WithDb(db => db.MailNotifications.CountAsync(n => n.OrganizationId == orgId)));
        Assert.False(await _app.WithDb(db => db.MailNotifications.AnyAsync(n => n.OrganizationId == orgId && n.SentAt == null)));
        Assert.Equal(0, _smtp.Count(adminEmail));

        // The unsubscribe link turns requests off for its user, without signing in.
        var token = System.Text.RegularExpressions.Regex.Match(request, @"Unsubscribe\?token=([^\s]+)").Groups[1].Value;
        using var anonymous = _app.CreateClient();
        var page = await anonymous.GetStringAsync("/Account/Unsubscribe?token=" + token);
        var done = await Browserless.Post(anonymous, "/Account/Unsubscribe", new() { ["Token"] = Uri.UnescapeDataString(token) }, page);
        Assert.Contains("no more mails about entitlement requests", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await admin.GetFromJsonAsync<JsonElement>("/api/me/notifications")).GetProperty("requests").GetBoolean());
    }

    [Fact]
    public async Task ABrokenMailServer_NeverHoldsUpATransferOrAPush_AndIsRetried()
    {
        using var broken = new NotifyingApp(port: ClosedPort());
        var (orgId, eventId) = await broken.NewOrganization(subscriptions: 100, participants: 10);
        var adminEmail = await broken.NewUser(u => Membership.Administrator(u, orgId));
        using var admin = await broken.ApiAs(adminEmail);
        await Levels(admin, orgId, 95);
        await using var screen = await LiveClient.Connect(broken, adminEmail);

        var transfer = await admin.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new { productCode = ProductCodes.Subscription, quantity = 10, idempotencyKey = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Created, transfer.StatusCode);
        await screen.WaitFor("AlertRaised", p => p.GetProperty("orgId").GetInt32() == orgId);

        var sender = broken.Services.GetRequiredService<MailSender>();
        // The notification is stored when the outbox is drained, beside the push: it may not be there yet.
        async Task<MailNotification> Row() => await broken.WithDb(db => db.MailNotifications.AsNoTracking().SingleAsync(n => n.OrganizationId == orgId));
        await WaitUntil(async () => await broken.WithDb(db => db.MailNotifications.AnyAsync(n => n.OrganizationId == orgId && n.Attempts >= 1)));
        var failed = await Row();
        Assert.Null(failed.SentAt);
        Assert.NotNull(failed.LastError);
        Assert.True(failed.NextAttemptAt > failed.CreatedAt);

        // When its time comes it is tried again (and stays owed until a server takes it).
        await broken.WithDb(db => db.MailNotifications.Where(n => n.Id == failed.Id).ExecuteUpdateAsync(u => u.SetProperty(n => n.NextAttemptAt, DateTime.UtcNow.AddMinutes(-5))));
        await sender.SendDueAsync(CancellationToken.None);
        Assert.True((await Row()).Attempts >= 2);
        Assert.Null((await Row()).SentAt);
    }

    /// <summary>Sets the pool's levels (entitlements available at or below which an alert is raised).</summary>
    private static async Task Levels(HttpClient admin, int orgId, params int[] levels) =>
        (await admin.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = levels.Select(l => new { available = l }) })).EnsureSuccessStatusCode();

    /// <summary>One transfer that takes the pool down to <paramref name="to"/>; answers how many levels it crossed.</summary>
    private async Task<int> Crossing(int orgId, int eventId, long to)
    {
        var available = await _app.WithDb(db => db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());
        var open = await _app.WithDb(db => db.Alerts.CountAsync(a => a.OrganizationId == orgId && a.OpenKey != null));
        await _app.Transfer(orgId, eventId, ProductCodes.Subscription, (int)(available - to));
        return await _app.WithDb(db => db.Alerts.CountAsync(a => a.OrganizationId == orgId && a.OpenKey != null)) - open;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(100);
        }
    }

    /// <summary>A mail's text as read (quoted-printable soft breaks joined).</summary>
    private static string Unfold(string mail) => mail.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class NotifyingApp(int port) : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Security"] = "None",
            ["Jobs:Recurring"] = "false",
            ["Notifications:DigestSeconds"] = "1",
            ["Notifications:PollSeconds"] = "1",
        };
    }
}
