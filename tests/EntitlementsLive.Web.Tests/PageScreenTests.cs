using System.Net;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Members;
using EntitlementsLive.Web.Features.Organizations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Pools;
using EntitlementsLive.Web.Features.Transactions;

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

    [Fact]
    public async Task TheOperationsHome_ListsEveryOrganization_KeepsARefusedCreatesKey_AndSaysWhatChanged()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 0);
        var ops = await app.NewUser();
        var summary = await app.As<SetActivation, OrganizationSummary>(ops, a => a.Handle(orgId, new ActivationRequest(false), Ct));

        var fresh = await app.With<OpsScreenQuery, OpsScreen>(q => q.For(null, Ct));
        var kept = await app.With<OpsScreenQuery, OpsScreen>(q => q.For("kept-key", Ct));

        Assert.Contains(fresh.Organizations, o => o.Id == orgId && !o.EntitlementsActivated);
        Assert.Matches("^[0-9a-f]{32}$", fresh.IdempotencyKey);
        Assert.NotEqual(fresh.IdempotencyKey, (await app.With<OpsScreenQuery, OpsScreen>(q => q.For(null, Ct))).IdempotencyKey);
        Assert.Equal("kept-key", kept.IdempotencyKey);
        Assert.Equal($"Entitlements of {summary.Name} are deactivated.", OpsScreen.Activated(summary));
        Assert.Equal($"{summary.Name} is created. Activate its entitlements when its contract is in.", OpsScreen.Created(new CreateOrganizationResult(summary, Created: true)));
    }

    [Fact]
    public async Task TheParticipantsList_ReadsItsFilter_SaysAnUnknownOne_AndOpensAHistory()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);

        var counted = await Participants(orgId, eventId, new ParticipantsRequest("counted", "  p1 ", null, "p1"));
        var unknown = await Participants(orgId, eventId, new ParticipantsRequest("bogus", null, null, null));
        var all = await Participants(orgId, eventId, new ParticipantsRequest("all", null, null, null));

        Assert.Equal((4, 4), (counted.Counts.Total, counted.Counts.Counted));
        Assert.Equal(("counted", "p1", (string?)null), (counted.Show, counted.Q, counted.Refusal));
        Assert.Equal(["p1"], counted.Result.Items.Select(p => p.ParticipantRef));
        Assert.Equal("p1", counted.History!.Participant.ParticipantRef);
        Assert.Equal("format=csv&q=p1&counted=true", counted.ExportQuery("csv"));
        Assert.Equal(("all", "Show all, counted, not counted, cancelled after activation participants."), (unknown.Show, unknown.Refusal));
        Assert.Empty(unknown.Result.Items);
        Assert.Equal("format=xlsx", unknown.ExportQuery("xlsx"));
        Assert.Equal(4, all.Result.Items.Count);
        Assert.Null(all.History);
        await Assert.ThrowsAsync<DomainException>(() => Participants(orgId, eventId, new ParticipantsRequest("all", null, "not-a-cursor", null)));
        var foreign = await Assert.ThrowsAsync<DomainException>(() => Participants(orgId, int.MaxValue, new ParticipantsRequest("all", null, null, null)));
        Assert.Equal(ErrorCodes.NotFound, foreign.Code);
    }

    private Task<ParticipantsScreen> Participants(int orgId, int eventId, ParticipantsRequest request) =>
        app.With<ParticipantsScreenQuery, ParticipantsScreen>(async q => await q.WithList(orgId, await q.For(orgId, eventId, request, Ct), Ct));

    [Fact]
    public async Task ThePoolsTab_ShowsEachPoolWithItsLatestTransactionsAndLevels_AndSaysWhatWasSaved()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 3);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));
        var saved = await app.As<Features.Alerts.SetThresholds, Features.Alerts.ThresholdsDto>(admin,
            h => h.Handle(orgId, ProductCodes.Subscription, Features.Alerts.SetThresholds.Parse("5, 50%"), Ct));

        var screen = await app.With<PoolsScreenQuery, PoolsScreen>(q => q.For(orgId, Ct));

        var pool = Assert.Single(screen.Pools);
        Assert.Equal((10L, 3L, 7L), (pool.Purchased, pool.Transferred, pool.Available));
        Assert.Equal([3L, 10L], screen.Recent[ProductCodes.Subscription].Select(t => t.Quantity));
        Assert.Equal("5, 50%", screen.LevelsOf(ProductCodes.Subscription));
        Assert.Equal("", screen.LevelsOf("NOPE"));
        Assert.Equal((10L, 3L, 4L), screen.Consumption.Where(c => c.ProductCode == ProductCodes.Subscription).Select(c => (c.Purchased, c.Allocated, c.Required)).Single());
        Assert.Equal($"{ProductCodes.Subscription}: an alert is raised when available falls to 5 or 5 or below.", PoolsScreen.Saved(ProductCodes.Subscription, saved));
        Assert.Equal("X: no alert levels.", PoolsScreen.Saved("X", saved with { Levels = [] }));
        Assert.Equal("X: No. Nothing was changed.", PoolsScreen.Refused("X", DomainException.Validation("levels", "No.")));
    }

    [Fact]
    public async Task ThePoolsTab_SaysSavedLevels_AndABadListAboveThePools_WithThePoolOpen()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 10);
        using var pages = await app.PagesAs(await app.NewUser(u => Membership.Administrator(u, orgId)));
        var html = await pages.GetStringAsync($"/Orgs/{orgId}/Entitlements");

        var refused = await Browserless.Post(pages, $"/Orgs/{orgId}/Entitlements?handler=Levels", new() { ["productCode"] = ProductCodes.Subscription, ["levels"] = "lots" }, html);
        var refusedPage = await pages.GetStringAsync(refused.Headers.Location);
        var saved = await Browserless.Post(pages, $"/Orgs/{orgId}/Entitlements?handler=Levels", new() { ["productCode"] = ProductCodes.Subscription, ["levels"] = "4" }, html);
        var savedPage = await pages.GetStringAsync(saved.Headers.Location);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (refused.StatusCode, saved.StatusCode));
        Assert.Equal($"/Orgs/{orgId}/Entitlements?open={ProductCodes.Subscription}", refused.Headers.Location!.OriginalString);
        Assert.Contains("data-testid=\"levels-error\"", refusedPage, StringComparison.Ordinal);
        Assert.Contains("is not a level", refusedPage, StringComparison.Ordinal);
        Assert.Contains($"{ProductCodes.Subscription}: an alert is raised when available falls to 4 or below.", savedPage, StringComparison.Ordinal);
        Assert.Contains("value=\"4\"", savedPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHistoryTab_OffersItsFiltersChoices_PagesTheFilteredTransactions_AndExportsTheSameFilter()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, modules: ProductCodes.LeadRetrieval);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 3);

        var transfers = await History(orgId, new TransactionFilter(ProductCodes.Subscription, eventId, "transfer"), null);
        var all = await History(orgId, new TransactionFilter(), null);

        Assert.Equal([ProductCodes.LeadRetrieval, ProductCodes.Subscription], transfers.Products.Select(p => p.ProductCode).Order(StringComparer.Ordinal));
        Assert.Equal([eventId], transfers.Events.Select(e => e.Id));
        Assert.Equal([3L], transfers.Result.Items.Select(t => t.Quantity));
        Assert.Equal(3, all.Result.Items.Count);
        Assert.True(transfers.Filtered);
        Assert.False(all.Filtered);
        Assert.Equal($"?productCode={ProductCodes.Subscription}&eventId={eventId}&kind=transfer&format=csv", transfers.ExportQuery("csv"));
        Assert.Equal("?format=xlsx", all.ExportQuery("xlsx"));
        await Assert.ThrowsAsync<DomainException>(() => History(orgId, new TransactionFilter(), "not-a-cursor"));
    }

    private Task<HistoryScreen> History(int orgId, TransactionFilter filter, string? cursor) =>
        app.With<HistoryScreenQuery, HistoryScreen>(async q => await q.WithPage(orgId, await q.For(orgId, filter, Ct), cursor, Ct));

    [Fact]
    public async Task AnAcceptLink_SaysWhatItIsFor_AndSignInSaysWhyItRefused()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 0);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));
        var invited = "inv" + Guid.NewGuid().ToString("N")[..8] + "@customer.example";
        var invitation = await app.As<InviteMember, InvitationCreated>(admin, i => i.Handle(orgId, new InviteRequest(invited, "EntitlementManager", null), admin, "https://x.example", Ct));
        var membershipId = (await app.With<MembersScreenQuery, MembersScreen>(q => q.For(orgId, Ct))).Members.Single(m => m.Email == admin).Id;
        var reset = await app.As<IssuePasswordReset, InvitationCreated>(admin, r => r.ForMember(orgId, membershipId, admin, "https://x.example", Ct));

        var joining = await app.With<AcceptInvitation, PendingLink?>(a => a.Describe(TokenOf(invitation.AcceptUrl), Ct));
        var resetting = await app.With<AcceptInvitation, PendingLink?>(a => a.Describe(TokenOf(reset.AcceptUrl), Ct));

        Assert.Equal((invited, false, false), (joining!.Invitation.Email, joining.IsReset, joining.HasAccount));
        Assert.NotNull(joining.OrganizationName);
        Assert.Equal((admin, true, true), (resetting!.Invitation.Email, resetting.IsReset, resetting.HasAccount));
        Assert.Null(await app.With<AcceptInvitation, PendingLink?>(a => a.Describe("forged", Ct)));

        Assert.Equal(Features.Auth.PasswordSignIn.Missing, await SignIn(admin, " ", "x"));
        Assert.Equal(Features.Auth.PasswordSignIn.Missing, await SignIn(admin, admin, ""));
        Assert.Equal(Features.Auth.PasswordSignIn.Refused, await SignIn(admin, admin, "not-the-password"));
        Assert.Equal(Features.Auth.PasswordSignIn.Refused, await SignIn(admin, admin + "\0", "x"));
    }

    private static string TokenOf(string acceptUrl) => System.Web.HttpUtility.ParseQueryString(new Uri(acceptUrl).Query)["token"]!;

    private Task<string?> SignIn(string who, string email, string password) =>
        app.As<Features.Auth.PasswordSignIn, string?>(who, s => s.Refusal(email, password));
}
