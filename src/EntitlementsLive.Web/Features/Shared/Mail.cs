namespace EntitlementsLive.Web.Features.Shared;

/// <summary>Sends a message when mail is configured; answers false when it is not (the caller then shows the link).</summary>
public interface IMailer
{
    bool Configured { get; }

    Task<bool> SendAsync(string to, string subject, string body, CancellationToken ct);
}
