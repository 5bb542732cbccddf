using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Notifications;

/// <summary>The kinds of notification a user chooses to receive by mail.</summary>
public static class NotificationKinds
{
    public const string AlertRaised = "alert-raised";
    public const string AlertResolved = "alert-resolved";
    public const string Requests = "requests";

    public static readonly IReadOnlyList<string> All = [AlertRaised, AlertResolved, Requests];

    public static string Label(string kind) => kind switch
    {
        AlertRaised => "alerts raised",
        AlertResolved => "alerts resolved",
        _ => "entitlement requests",
    };
}

public sealed record NotificationSettingsDto(bool AlertRaised, bool AlertResolved, bool Requests, bool MailConfigured)
{
    public bool Wants(string kind) => kind switch
    {
        NotificationKinds.AlertRaised => AlertRaised,
        NotificationKinds.AlertResolved => AlertResolved,
        _ => Requests,
    };
}

public sealed record NotificationSettingsRequest(bool? AlertRaised, bool? AlertResolved, bool? Requests);

/// <summary>
/// Each user's own choice of mails. Without a choice of their own, those who manage entitlements receive everything and
/// others their event's requests. An unsubscribe link turns one kind off without signing in (a protected token).
/// </summary>
public sealed class NotificationSettingsStore(AppDbContext db, IMailer mailer, IDataProtectionProvider protection)
{
    private const string Purpose = "mail-unsubscribe";

    public async Task<NotificationSettingsDto> Get(string userId, CancellationToken ct)
    {
        var saved = await db.NotificationSettings.AsNoTracking().SingleOrDefaultAsync(n => n.UserId == userId, ct);
        if (saved is not null)
        {
            return new NotificationSettingsDto(saved.AlertRaised, saved.AlertResolved, saved.Requests, mailer.Configured);
        }

        var manages = (await CurrentUser.Load(db, userId, ct)).Any(m => m.Role is Role.OrganizationAdministrator or Role.EntitlementManager);
        return new NotificationSettingsDto(manages, manages, true, mailer.Configured);
    }

    public async Task<NotificationSettingsDto> Set(string userId, NotificationSettingsRequest request, CancellationToken ct)
    {
        var check = new Validation();
        if (request.AlertRaised is null) check.Add("alertRaised", "Say whether to receive alerts raised (true or false).");
        if (request.AlertResolved is null) check.Add("alertResolved", "Say whether to receive alerts resolved (true or false).");
        if (request.Requests is null) check.Add("requests", "Say whether to receive entitlement requests (true or false).");
        check.ThrowIfInvalid();
        var row = await db.NotificationSettings.SingleOrDefaultAsync(n => n.UserId == userId, ct);
        if (row is null)
        {
            db.NotificationSettings.Add(row = new NotificationSettings { UserId = userId });
        }

        (row.AlertRaised, row.AlertResolved, row.Requests) = (request.AlertRaised!.Value, request.AlertResolved!.Value, request.Requests!.Value);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return new NotificationSettingsDto(row.AlertRaised, row.AlertResolved, row.Requests, mailer.Configured);
    }

    public string UnsubscribeToken(string userId, string kind) => protection.CreateProtector(Purpose).Protect(userId + "|" + kind);

    /// <summary>Turns one kind off for the token's user; answers the kind, or null for a token that is not ours.</summary>
    public async Task<string?> Unsubscribe(string? token, CancellationToken ct)
    {
        string[] parts;
        try
        {
            parts = protection.CreateProtector(Purpose).Unprotect(token ?? "").Split('|');
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        if (parts is not [var userId, var kind] || !NotificationKinds.All.Contains(kind))
        {
            return null;
        }

        var now = await Get(userId, ct);
        await Set(userId, new NotificationSettingsRequest(
            kind != NotificationKinds.AlertRaised && now.AlertRaised, kind != NotificationKinds.AlertResolved && now.AlertResolved, kind != NotificationKinds.Requests && now.Requests), ct);
        return kind;
    }
}
