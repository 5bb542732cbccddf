using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Members;

namespace EntitlementsLive.Web.Tests;

/// <summary>The screen queries of the members, operations, pools, history and participants pages, and the sign-in check.</summary>
[Collection(AppCollection.Name)]
public sealed class PageScreenTests(AppFactory app)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task TheMembersPage_ListsMembersPendingInvitationsAndTheEventsItsMenusOffer()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 1);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));
        var team = await app.NewUser(u => Membership.Team(u, orgId, eventId));
        var invited = "inv" + Guid.NewGuid().ToString("N")[..8] + "@customer.example";
        var created = await app.As<InviteMember, InvitationCreated>(admin, i => i.Handle(orgId, new InviteRequest(invited, "EntitlementManager", null), admin, "https://x.example", Ct));

        var screen = await app.With<MembersScreenQuery, MembersScreen>(q => q.For(orgId, Ct));

        Assert.Equal(new[] { admin, team }.Order(StringComparer.Ordinal), screen.Members.Select(m => m.Email).Order(StringComparer.Ordinal));
        Assert.Equal((Role.EventTeam, eventId), screen.Members.Where(m => m.Email == team).Select(m => (m.Role, m.EventId)).Single());
        var pending = Assert.Single(screen.Pending);
        Assert.Equal((invited, Role.EntitlementManager), (pending.Email, pending.Role));
        Assert.Equal([eventId], screen.Events.Select(e => e.Id));
        Assert.Equal($"{team} is now Event team.", MembersScreen.RoleChanged(screen.Members.Single(m => m.Email == team)));
        var link = ShownLink.Invitation(created, $"  {invited} ");
        Assert.Equal(($"Invitation for {invited} created.", created.AcceptUrl), (link.Title, link.Url));
        Assert.StartsWith("https://x.example/Account/Accept?token=", link.Url, StringComparison.Ordinal);
    }
}
