using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Members;

/// <summary>
/// The members page: the organization's members, the invitations not yet accepted, and the events whose teams its role
/// menus offer; with the words it says after a change.
/// </summary>
public sealed record MembersScreen(IReadOnlyList<MemberDto> Members, IReadOnlyList<PendingInvitationDto> Pending, IReadOnlyList<(int Id, string Name)> Events)
{
    /// <summary>The role menus offer at most this many events' teams.</summary>
    public const int EventsOffered = 500;

    public const string Removed = "The membership is removed; it takes effect at once, on open screens too.";

    /// <summary>What the page says once a member's role is changed ("ann@example.com is now Entitlement Manager.").</summary>
    public static string RoleChanged(MemberDto member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return $"{member.Email} is now {Names.Label(member.Role)}.";
    }
}

/// <summary>
/// A link just made (an invitation, a password reset): its heading, its address and whether it was e-mailed too. It is
/// shown once, on the page that made it, not carried through a redirect.
/// </summary>
public sealed record ShownLink(string Title, string Url, bool Emailed)
{
    public static ShownLink Invitation(InvitationCreated created, string? email) => Of(created, $"Invitation for {email?.Trim()} created.");

    public static ShownLink FirstAdministrator(InvitationCreated created) => Of(created, "Invitation created.");

    public static ShownLink PasswordReset(InvitationCreated created) => Of(created, "Password reset link created.");

    private static ShownLink Of(InvitationCreated created, string title)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new ShownLink(title, created.AcceptUrl, created.Emailed);
    }
}

/// <summary>The members page's one query.</summary>
public sealed class MembersScreenQuery(Memberships members, InviteMember invitations, EventQueries events)
{
    public async Task<MembersScreen> For(int organizationId, CancellationToken ct) => new(
        await members.List(organizationId, ct),
        await invitations.Pending(organizationId, ct),
        await events.Names(organizationId, MembersScreen.EventsOffered, ct));
}

/// <summary>
/// The members page's forms (and the operations home's invitation), each over its use case: an invitation or a password reset answers with the link to show
/// once; a role change or a removal with the words the page says after its redirect.
/// </summary>
public sealed class MemberForms(CurrentUser me, Memberships members, InviteMember invite, IssuePasswordReset reset, IHttpContextAccessor http)
{
    public async Task<ShownLink> Invite(int organizationId, string? email, string? roleChoice, CancellationToken ct)
    {
        var (role, eventId) = RoleChoice.Parse(roleChoice);
        return ShownLink.Invitation(await invite.Handle(organizationId, new InviteRequest(email, role, eventId), me.Actor, BaseUrl, ct), email);
    }

    public async Task<string> ChangeRole(int organizationId, int membershipId, string? roleChoice, CancellationToken ct)
    {
        var (role, eventId) = RoleChoice.Parse(roleChoice);
        return MembersScreen.RoleChanged(await members.ChangeRole(organizationId, membershipId, new ChangeRoleRequest(role, eventId), ct));
    }

    public async Task<string> Remove(int organizationId, int membershipId, CancellationToken ct)
    {
        await members.Remove(organizationId, membershipId, ct);
        return MembersScreen.Removed;
    }

    public async Task<ShownLink> Reset(int organizationId, int membershipId, CancellationToken ct) =>
        ShownLink.PasswordReset(await reset.ForMember(organizationId, membershipId, me.Actor, BaseUrl, ct));

    /// <summary>An organization's first administrator, invited by ops from the operations home.</summary>
    public async Task<ShownLink> FirstAdministrator(int organizationId, string? email, CancellationToken ct) =>
        ShownLink.FirstAdministrator(await invite.Handle(organizationId, new InviteRequest(email, nameof(Domain.Role.OrganizationAdministrator), null), me.Actor, BaseUrl, ct));

    /// <summary>Links are made for the address the administrator is using.</summary>
    private string BaseUrl => WebLinks.BaseUrl(http.HttpContext ?? throw new InvalidOperationException("Invitations from a page are made in its request."));
}
