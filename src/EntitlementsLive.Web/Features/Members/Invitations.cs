using System.ComponentModel.DataAnnotations;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Features.Members;

public sealed class InvitationOptions
{
    public const string Section = "Invitations";

    [Range(1, 90)]
    public int LifetimeDays { get; set; } = 7;

    /// <summary>Where links point (e.g. https://entitlements.example.com); the request's own address when unset.</summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed record InviteRequest(string? Email, string? Role, int? EventId);

/// <summary>The link is in the answer once (and e-mailed when mail is configured); only its hash is stored.</summary>
public sealed record InvitationCreated(int InvitationId, string AcceptUrl, DateTime ExpiresAt, bool Emailed);

public sealed record PendingInvitationDto(int Id, string Email, Role Role, int? EventId, DateTime ExpiresAt, string CreatedBy);

public sealed record PasswordResetRequest(string? Email);

public sealed record AcceptRequest(string? Token, string? Name, string? Password);

public sealed record MembershipDto(int? OrganizationId, Role Role, int? EventId);

/// <summary>What a valid link is for: its invitation (or password reset), whether its e-mail has an account, the organization it joins.</summary>
public sealed record PendingLink(Invitation Invitation, bool HasAccount, string? OrganizationName)
{
    public bool IsReset => Invitation.Purpose == InvitationPurpose.PasswordReset;
}

public sealed record AcceptedInvitation(string Email, IReadOnlyList<MembershipDto> Memberships, string UserId);

/// <summary>
/// Invites someone to an organization with a role (Ops for any organization, its administrators for their own),
/// or to the platform as Ops. The link is mailed when mail is configured and always answered once.
/// </summary>
public sealed class InviteMember(AppDbContext db, TimeProvider clock, IMailer mailer, IOptions<InvitationOptions> options, AuditTrail audit)
{
    public async Task<InvitationCreated> Handle(int? organizationId, InviteRequest request, string actor, string baseUrl, CancellationToken ct)
    {
        var check = new Validation();
        var email = request.Email?.Trim();
        if (!Invitation.IsEmail(email))
        {
            check.Add("email", "Give the e-mail address of the person to invite.");
        }

        var allowed = organizationId is null ? [Role.Ops] : EntitlementsLive.Domain.Access.OrganizationRoles;
        var role = await RoleChoices.ReadAsync(db, check, organizationId, request.Role, request.EventId, allowed, ct);

        if (organizationId is { } id && !await db.Organizations.AnyAsync(o => o.Id == id, ct))
        {
            throw Validation.NotFound("The organization");
        }

        check.ThrowIfInvalid();
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Secrets.New();
        var hash = Secrets.Hash(token);
        var invitation = Invitation.ToJoin(organizationId, email!, role, request.EventId, hash, actor, now, TimeSpan.FromDays(options.Value.LifetimeDays));
        db.Invitations.Add(invitation);
        if (organizationId is { } org)
        {
            audit.Add(org, AuditAction.InvitationCreated, invitation.Email, Names.Label(role), actor);
        }

        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);

        var url = Link(baseUrl, "/Account/Accept", token);
        var emailed = await mailer.SendAsync(invitation.Email, "You are invited to EntitlementsLive",
            $"{actor} invites you to EntitlementsLive as {Names.Label(role)}.\n\nAccept before {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC: {url}\n", ct);
        return new InvitationCreated(invitation.Id, url, invitation.ExpiresAt, emailed);
    }

    public string Link(string baseUrl, string path, string token) =>
        (options.Value.PublicBaseUrl ?? baseUrl).TrimEnd('/') + path + "?token=" + Uri.EscapeDataString(token);

    public async Task<IReadOnlyList<PendingInvitationDto>> Pending(int organizationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Invitations.AsNoTracking()
            .Where(i => i.OrganizationId == organizationId && i.Purpose == InvitationPurpose.Membership && i.UsedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.CreatedAt)
            .Select(i => new PendingInvitationDto(i.Id, i.Email, i.Role, i.EventId, i.ExpiresAt, i.CreatedBy)).ToListAsync(ct);
    }
}

/// <summary>
/// Accepting a link: an invitation creates the user (or, for an existing account, checks its password) and adds
/// the membership; a reset link sets a new password. Used, expired or forged links are refused alike.
/// </summary>
public sealed class AcceptInvitation(AppDbContext db, UserManager<AppUser> users, TimeProvider clock, AuditTrail audit)
{
    /// <summary>What the link's page shows before it is used: whom it is for, whether they have an account, which organization; null when not usable.</summary>
    public async Task<PendingLink?> Describe(string? token, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var invitation = string.IsNullOrEmpty(token) ? null : await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == Secrets.Hash(token), ct);
        if (invitation is null || !invitation.UsableAt(now))
        {
            return null;
        }

        var organization = invitation.OrganizationId is { } id
            ? await db.Organizations.Where(o => o.Id == id).Select(o => o.Name).SingleOrDefaultAsync(ct)
            : null;
        return new PendingLink(invitation, await users.FindByEmailAsync(invitation.Email) is not null, organization);
    }

    public async Task<AcceptedInvitation> Handle(AcceptRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginWriteAsync(ct);
        var invitation = string.IsNullOrEmpty(request.Token) ? null
            : await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == Secrets.Hash(request.Token), ct);
        if (invitation is null || !invitation.UsableAt(now))
        {
            throw Invitation.Invalid();
        }

        var user = await users.FindByEmailAsync(invitation.Email);
        if (invitation.Purpose == InvitationPurpose.PasswordReset)
        {
            user = await Reset(user ?? throw Invitation.Invalid(), request.Password);
        }
        else if (user is null)
        {
            user = await Create(invitation.Email, request.Name, request.Password);
        }
        else if (!await users.CheckPasswordAsync(user, request.Password ?? ""))
        {
            throw DomainException.Validation("password", "This e-mail already has an account: enter its password to accept.");
        }

        if (invitation.Purpose == InvitationPurpose.Membership)
        {
            var membership = invitation.MembershipFor(user.Id);
            if (!await db.Memberships.AnyAsync(m => m.UserId == user.Id && m.Role == membership.Role && m.OrganizationId == membership.OrganizationId && m.EventId == membership.EventId, ct))
            {
                db.Memberships.Add(membership);
            }
        }

        invitation.Use(now);
        if (invitation is { Purpose: InvitationPurpose.Membership, OrganizationId: { } org })
        {
            audit.Add(org, AuditAction.InvitationAccepted, invitation.Email, Names.Label(invitation.Role), invitation.Email);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == user.Id)
            .Select(m => new MembershipDto(m.OrganizationId, m.Role, m.EventId)).ToListAsync(ct);
        return new AcceptedInvitation(invitation.Email, memberships, user.Id);
    }

    private async Task<AppUser> Create(string email, string? name, string? password)
    {
        var check = new Validation();
        var displayName = name?.Trim();
        if (!Text.IsPrintable(displayName, 100))
        {
            check.Add("name", "Give your name (1 to 100 printable characters).");
        }

        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName ?? "" };
        await ValidatePassword(check, user, password);
        check.ThrowIfInvalid();
        var created = await users.CreateAsync(user, password!);
        return created.Succeeded ? user : throw DomainException.Validation("password", string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    private async Task<AppUser> Reset(AppUser user, string? password)
    {
        var check = new Validation();
        await ValidatePassword(check, user, password);
        check.ThrowIfInvalid();
        await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, password!);
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return user;
    }

    private async Task ValidatePassword(Validation check, AppUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            check.Add("password", "Choose a password of at least 8 characters.");
            return;
        }

        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            foreach (var error in result.Errors)
            {
                check.Add("password", error.Description);
            }
        }
    }
}

/// <summary>A link to choose a new password: issued by an organization's administrator for one of its members, or mailed on request.</summary>
public sealed class IssuePasswordReset(AppDbContext db, TimeProvider clock, IMailer mailer, InviteMember links, AuditTrail audit)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>For a member of <paramref name="organizationId"/>: the link is answered to the administrator (and mailed when configured).</summary>
    public async Task<InvitationCreated> ForMember(int organizationId, int membershipId, string actor, string baseUrl, CancellationToken ct)
    {
        var email = await (from m in db.Memberships
                           join u in db.Users on m.UserId equals u.Id
                           where m.Id == membershipId && m.OrganizationId == organizationId
                           select u.Email).SingleOrDefaultAsync(ct) ?? throw Validation.NotFound("The membership");
        audit.Add(organizationId, AuditAction.PasswordResetIssued, email, "", actor);
        return await Issue(email, actor, baseUrl, ct);
    }

    /// <summary>Self-service: only by mail, and the same answer whether or not the address has an account.</summary>
    public async Task<bool> ByMail(string? email, string baseUrl, CancellationToken ct)
    {
        if (!Invitation.IsEmail(email?.Trim()))
        {
            throw Validation.Invalid("email", "Enter the email address of your account.");
        }

        if (!mailer.Configured)
        {
            return false;
        }

        var normalized = Invitation.NormalizeEmail(email!);
        var lookup = normalized.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == lookup, ct))
        {
            await Issue(normalized, "self-service", baseUrl, ct);
        }

        return true;
    }

    private async Task<InvitationCreated> Issue(string email, string actor, string baseUrl, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Secrets.New();
        var hash = Secrets.Hash(token);
        var reset = Invitation.ToResetPassword(email, hash, actor, now, Lifetime);
        db.Invitations.Add(reset);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        var url = links.Link(baseUrl, "/Account/Accept", token);
        var emailed = await mailer.SendAsync(reset.Email, "Choose a new EntitlementsLive password",
            $"Choose a new password before {reset.ExpiresAt:yyyy-MM-dd HH:mm} UTC: {url}\nIf you did not ask for this, ignore this message.\n", ct);
        return new InvitationCreated(reset.Id, url, reset.ExpiresAt, emailed);
    }
}
