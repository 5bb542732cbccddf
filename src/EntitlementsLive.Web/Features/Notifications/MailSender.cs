using System.ComponentModel.DataAnnotations;
using System.Text;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Features.Notifications;

public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>A user's notifications wait this long for others, then go as one mail (a digest when there are several).</summary>
    [Range(0, 3_600)]
    public int DigestSeconds { get; set; } = 60;

    /// <summary>How often the sender looks for notifications that are due.</summary>
    [Range(1, 300)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Where the links in mails point (mails are sent in the background, not from a request).</summary>
    [Required]
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";
}

/// <summary>
/// Sends the stored mail notifications on every node: each user's due ones are claimed at once (one sender at a time,
/// a token and a lease), sent as one mail or a digest, and marked sent; a mail server that fails is retried with back-off
/// and never holds up anything else.
/// </summary>
public sealed partial class MailSender(IServiceScopeFactory scopes, TimeProvider clock, IOptions<NotificationOptions> options, ILogger<MailSender> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(log, ex);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var mailer = scope.ServiceProvider.GetRequiredService<IMailer>();
        if (!mailer.Configured)
        {
            return 0;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var ripe = now.AddSeconds(-options.Value.DigestSeconds);
        var users = await db.MailNotifications.AsNoTracking()
            .Where(n => n.SentAt == null && n.NextAttemptAt <= now && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .GroupBy(n => n.UserId).Where(g => g.Min(n => n.CreatedAt) <= ripe).Select(g => g.Key).Take(100).ToListAsync(ct);
        var sent = 0;
        foreach (var userId in users)
        {
            sent += await SendToAsync(scope.ServiceProvider, db, mailer, userId, now, ct);
        }

        return sent;
    }

    private async Task<int> SendToAsync(IServiceProvider services, AppDbContext db, IMailer mailer, string userId, DateTime now, CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        var lease = now.AddMinutes(2);
        var claimed = await db.WriteAsync(() => db.MailNotifications
            .Where(n => n.UserId == userId && n.SentAt == null && n.NextAttemptAt <= now && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ClaimToken, token).SetProperty(n => n.ClaimedUntil, lease), ct), ct);
        if (claimed == 0)
        {
            return 0;
        }

        var batch = await db.MailNotifications.Where(n => n.ClaimToken == token).OrderBy(n => n.Id).ToListAsync(ct);
        var (subject, body) = Compose(services.GetRequiredService<NotificationSettingsStore>(), userId, batch);
        var delivered = await mailer.SendAsync(batch[0].Email, subject, body, ct);
        foreach (var n in batch)
        {
            n.Attempts++;
            (n.ClaimToken, n.ClaimedUntil) = (null, null);
            if (delivered)
            {
                n.SentAt = now;
            }
            else
            {
                n.LastError = "The mail server did not take the message; it is tried again.";
                n.NextAttemptAt = now.AddSeconds(Math.Min(3_600, 15 * Math.Pow(2, Math.Min(n.Attempts - 1, 10))));
            }
        }

        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return delivered ? batch.Count : 0;
    }

    /// <summary>One notification: its line and link. Several: a digest, each line with its link. Always the unsubscribe links of the kinds in it.</summary>
    private (string Subject, string Body) Compose(NotificationSettingsStore settings, string userId, List<MailNotification> batch)
    {
        var site = options.Value.PublicUrl.TrimEnd('/');
        var body = new StringBuilder();
        string subject;
        if (batch.Count == 1)
        {
            subject = "EntitlementsLive: " + batch[0].Text;
            body.AppendLine(batch[0].Text).AppendLine().AppendLine("Open it: " + site + batch[0].Link);
        }
        else
        {
            subject = FormattableString.Invariant($"EntitlementsLive: {batch.Count} updates");
            body.AppendLine(FormattableString.Invariant($"{batch.Count} updates since the last mail:")).AppendLine();
            foreach (var n in batch)
            {
                body.AppendLine("- " + n.Text).AppendLine("  " + site + n.Link);
            }
        }

        body.AppendLine();
        foreach (var kind in batch.Select(n => n.Kind).Distinct())
        {
            body.AppendLine($"No more mails about {NotificationKinds.Label(kind)}: {site}/Account/Unsubscribe?token={Uri.EscapeDataString(settings.UnsubscribeToken(userId, kind))}");
        }

        body.AppendLine($"Choose what you receive: {site}/Account/Notifications");
        return (subject.Length > 200 ? subject[..200] : subject, body.ToString());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending mail notifications failed; the next sweep tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex);
}
