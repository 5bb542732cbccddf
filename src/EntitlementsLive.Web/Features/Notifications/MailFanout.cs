using System.Text.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Notifications;

/// <summary>
/// Turns drained outbox messages into mail notifications, for those who chose them: alerts to the organization's
/// managers; a new request to them too, and what became of it to the event's team. Only rows are written here (a broken
/// mail server never holds up a push); <see cref="MailSender"/> sends them. A drain that runs again adds nothing.
/// </summary>
public sealed class MailFanout(AppDbContext db, IMailer mailer, NotificationSettingsStore settings, TimeProvider clock) : IOutboxObserver
{
    public async Task ObserveAsync(int organizationId, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        var relevant = rows.Where(r => r.Type is MessageTypes.AlertRaised or MessageTypes.AlertResolved or MessageTypes.EntitlementRequestChanged).ToList();
        if (!mailer.Configured || relevant.Count == 0
            || !await db.Organizations.Where(o => o.Id == organizationId).AnyAsync(Organization.EntitlementsWork, ct))
        {
            return;
        }

        var memberships = await db.Memberships.AsNoTracking().Where(m => m.OrganizationId == organizationId).ToListAsync(ct);
        var managers = memberships.GroupBy(m => m.UserId).Where(g => g.ManagesEntitlements(organizationId)).Select(g => g.Key).ToList();
        var userIds = memberships.Select(m => m.UserId).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id) && u.Email != null).ToDictionaryAsync(u => u.Id, u => u.Email!, ct);
        var wanted = new Dictionary<string, NotificationSettingsDto>(StringComparer.Ordinal);
        var now = clock.GetUtcNow().UtcDateTime;
        var notifications = new List<MailNotification>();
        foreach (var row in relevant)
        {
            var (kind, text, link, to) = Describe(organizationId, row, managers, memberships);
            foreach (var userId in to.Distinct().Where(emails.ContainsKey))
            {
                if (!wanted.TryGetValue(userId, out var choice))
                {
                    wanted[userId] = choice = await settings.Get(userId, ct);
                }

                if (choice.Wants(kind))
                {
                    notifications.Add(new MailNotification
                    {
                        UserId = userId, Email = emails[userId], OrganizationId = organizationId, Sequence = row.Sequence, Kind = kind,
                        Text = text.Length > 1000 ? text[..1000] : text, Link = link, CreatedAt = now, NextAttemptAt = now,
                    });
                }
            }
        }

        if (notifications.Count == 0)
        {
            return;
        }

        var sequences = notifications.Select(n => n.Sequence).Distinct().ToList();
        var existing = (await db.MailNotifications.AsNoTracking().Where(n => n.OrganizationId == organizationId && sequences.Contains(n.Sequence))
            .Select(n => new { n.UserId, n.Sequence }).ToListAsync(ct)).Select(n => (n.UserId, n.Sequence)).ToHashSet();
        db.MailNotifications.AddRange(notifications.Where(n => !existing.Contains((n.UserId, n.Sequence))));
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
    }

    private static (string Kind, string Text, string Link, IEnumerable<string> To) Describe(int org, OutboxMessage row, List<string> managers, List<Membership> memberships)
    {
        using var payload = JsonDocument.Parse(row.Payload);
        var root = payload.RootElement;
        if (row.Type != MessageTypes.EntitlementRequestChanged)
        {
            var message = root.GetProperty("alert").GetProperty("message").GetString() ?? "";
            return row.Type == MessageTypes.AlertRaised
                ? (NotificationKinds.AlertRaised, "Alert: " + message, $"/Orgs/{org}/Entitlements/Alerts", managers)
                : (NotificationKinds.AlertResolved, "Resolved: " + message, $"/Orgs/{org}/Entitlements/Alerts?state=all", managers);
        }

        var request = root.GetProperty("request");
        var eventId = request.GetProperty("eventId").GetInt32();
        var eventName = request.GetProperty("eventName").GetString();
        var asker = request.GetProperty("requestedBy");
        var status = request.GetProperty("status").GetString();
        if (status == "open")
        {
            return (NotificationKinds.Requests, $"{asker.GetProperty("name").GetString()} asks you to cover {eventName}.", $"/Orgs/{org}/Entitlements/Requests", managers);
        }

        var reason = request.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? ": " + r.GetString() : "";
        var team = memberships.Where(m => m.EventId == eventId && !managers.Contains(m.UserId)).Select(m => m.UserId);
        return (NotificationKinds.Requests, $"Your request to cover {eventName} is {status}{(status == "declined" ? reason : "")}.", $"/Orgs/{org}/Events/{eventId}", team);
    }
}
