using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

/// <summary>
/// The first start of a platform without demo data: <c>Bootstrap:OpsEmail</c> names the first Ops user, whose
/// one-time invitation link is printed to the log once, and never again (not even after a restart).
/// </summary>
public sealed partial class Bootstrap(AppDbContext db, InviteMember invite, ILogger<Bootstrap> log)
{
    public async Task<InvitationCreated?> RunAsync(string? opsEmail, string baseUrl, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(opsEmail))
        {
            return null;
        }

        var email = Invitation.NormalizeEmail(opsEmail);
        if (await db.Memberships.AnyAsync(m => m.Role == Role.Ops, ct) || await db.Invitations.AnyAsync(i => i.Role == Role.Ops && i.Email == email, ct))
        {
            return null;
        }

        var created = await invite.Handle(null, new InviteRequest(email, nameof(Role.Ops), null), "bootstrap", baseUrl, ct);
        LogBootstrap(log, email, created.AcceptUrl, created.ExpiresAt);
        return created;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start: the Ops user {Email} joins with this one-time link (valid until {ExpiresAt:u}; it is not printed again): {AcceptUrl}")]
    private static partial void LogBootstrap(ILogger logger, string email, string acceptUrl, DateTime expiresAt);
}
