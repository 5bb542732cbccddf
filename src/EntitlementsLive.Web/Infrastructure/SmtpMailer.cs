using System.ComponentModel.DataAnnotations;
using EntitlementsLive.Web.Features.Shared;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EntitlementsLive.Web.Infrastructure;

public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>The SMTP server; without one, invitation and reset links are shown to whoever created them.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "EntitlementsLive <no-reply@entitlementslive.local>";

    /// <summary>StartTls (587), SslOnConnect (465) or None (a local relay).</summary>
    [AllowedValues("StartTls", "SslOnConnect", "None")]
    public string Security { get; set; } = "StartTls";
}

/// <summary>Mail through SMTP (MailKit), when <see cref="MailOptions.Host"/> is set.</summary>
public sealed partial class SmtpMailer(IOptions<MailOptions> options, ILogger<SmtpMailer> log) : IMailer
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Host);

    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken ct)
    {
        var o = options.Value;
        if (!Configured)
        {
            return false;
        }

        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        try
        {
            using var client = new SmtpClient();
            var security = o.Security switch
            {
                "SslOnConnect" => SecureSocketOptions.SslOnConnect,
                "None" => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(o.Host!, o.Port, security, ct);
            if (!string.IsNullOrEmpty(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not sent: the link is shown to whoever created it instead, so nothing is lost.
            LogMailFailed(log, ex, to);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send mail to {To}; the link is shown instead")]
    private static partial void LogMailFailed(ILogger logger, Exception ex, string to);
}
