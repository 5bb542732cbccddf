using System.Net.Http.Json;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using EntitlementsLive.Web.Features.Plans;

namespace EntitlementsLive.Web.Tests;

/// <summary>The event home's and the cover page's screen queries: what each reader is shown, computed on the server.</summary>
[Collection(AppCollection.Name)]
public sealed class ScreenQueryTests(AppFactory app)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task TheEventHome_ShowsTransfersToWhoManagesEntitlements_AndOnlyTheCoverageToTheEventsTeam()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        await app.Transfer(orgId, eventId, ProductCodes.Subscription, 3);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));
        var team = await app.NewUser(u => Membership.Team(u, orgId, eventId));

        var forAdmin = await app.As<EventScreenQuery, EventScreen>(admin, q => q.For(orgId, eventId, Ct));
        var forTeam = await app.As<EventScreenQuery, EventScreen>(team, q => q.For(orgId, eventId, Ct));

        Assert.True(forAdmin.ManagesEntitlements);
        Assert.Equal([3L], forAdmin.Details.Transactions.Select(t => t.Quantity));
        Assert.False(forTeam.ManagesEntitlements);
        Assert.Empty(forTeam.Details.Transactions);
        Assert.Empty(forTeam.Batches);
        var subscription = forTeam.Details.Event.Products.Single(p => p.ProductCode == ProductCodes.Subscription);
        Assert.Equal((4L, 3L, 1L, true), (subscription.Required, subscription.Allocated, subscription.Missing, forTeam.Details.Event.Missing));
        Assert.Null(forTeam.LatestRequest);
        var unknown = await Assert.ThrowsAsync<DomainException>(() => app.As<EventScreenQuery, EventScreen>(admin, q => q.For(orgId, int.MaxValue, Ct)));
        Assert.Equal(ErrorCodes.NotFound, unknown.Code);
    }

    [Fact]
    public async Task TheCoverPage_PlansWhatIsMissing_NamesItsProducts_AndIsANotFoundForAnotherOrganizationsEvent()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4);
        var (_, elsewhere) = await app.NewOrganization(subscriptions: 0);
        var admin = await app.NewUser(u => Membership.Administrator(u, orgId));

        var all = await app.As<CoverScreenQuery, CoverScreen>(admin, q => q.For(orgId, "bogus", null, null, Ct));
        var one = await app.As<CoverScreenQuery, CoverScreen>(admin, q => q.For(orgId, PlanScope.Live, eventId, "a notice", Ct));

        Assert.Equal(PlanScope.All, all.Plan.Scope);
        Assert.Equal(PlanScope.Live, one.Plan.Scope);
        var item = Assert.Single(one.Plan.Items);
        Assert.Equal((eventId, ProductCodes.Subscription, 4L, 6L), (item.EventId, item.ProductCode, item.Quantity, item.PoolAfter));
        Assert.Equal("Subscription", one.NameOf(ProductCodes.Subscription));
        Assert.Equal("NOPE", one.NameOf("NOPE"));
        Assert.Equal("a notice", one.Notice);
        Assert.Matches("^[0-9a-f]{32}$", one.IdempotencyKey);
        Assert.NotEqual(all.IdempotencyKey, one.IdempotencyKey);
        var foreign = await Assert.ThrowsAsync<DomainException>(() => app.As<CoverScreenQuery, CoverScreen>(admin, q => q.For(orgId, null, elsewhere, null, Ct)));
        Assert.Equal(ErrorCodes.NotFound, foreign.Code);
        Assert.EndsWith("Below is the plan made again with today's figures.", CoverScreen.NoticeAfter(CoveragePlan.Stale()), StringComparison.Ordinal);
        Assert.StartsWith("Nothing was transferred. ", CoverScreen.NoticeAfter(DomainException.Validation("x", "No.")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAlertsTab_ListsOpenAlertsUnlessAllAreAskedFor_WithTheWarningWindow()
    {
        var (api, orgId, _) = await app.ApiAdminOf(subscriptions: 10);
        var set = await api.PutAsJsonAsync($"/api/orgs/{orgId}/pools/{ProductCodes.Subscription}/thresholds", new { levels = new object[] { new { available = 20 } } });
        set.EnsureSuccessStatusCode();
        var raised = await Screen(orgId, "bogus");
        await app.Purchase(orgId, ProductCodes.Subscription, 20);

        var open = await Screen(orgId, null);
        var all = await Screen(orgId, "all");

        Assert.Equal("open", raised.State);
        var alert = Assert.Single(raised.Alerts);
        Assert.Empty(open.Alerts);
        Assert.Equal(("all", alert.Id), (all.State, Assert.Single(all.Alerts).Id));
        Assert.Equal((await app.With<Features.Alerts.AlertQueries, Features.Alerts.AlertSettingsDto>(q => q.Settings(orgId, Ct))).UncoveredSoonDays, open.UncoveredSoonDays);

        Task<Features.Alerts.AlertsScreen> Screen(int org, string? state) =>
            app.With<Features.Alerts.AlertQueries, Features.Alerts.AlertsScreen>(q => q.Screen(org, state, Ct));
    }

    [Fact]
    public async Task AScreensForecasts_AreTheOrganizationsOwn_ForTheEventsItShows()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 2, participants: 6);
        var other = await app.WithDb(async db =>
        {
            var e = new Event(orgId, "Later", DateTime.UtcNow.AddDays(40), DateTime.UtcNow.AddDays(41));
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });

        // Nothing is computed for this organization yet: the page's events are projected alone, then the whole.
        var some = await app.With<Features.Forecasts.ForecastQueries, Features.Forecasts.ForecastDto>(q => q.ForEvents(orgId, [eventId], Ct));
        var whole = await app.With<Features.Forecasts.ForecastQueries, Features.Forecasts.ForecastDto>(q => q.ForOrganization(orgId, Ct));
        var again = await app.With<Features.Forecasts.ForecastQueries, Features.Forecasts.ForecastDto>(q => q.ForEvents(orgId, [eventId], Ct));

        var alone = Assert.Single(some.Events);
        Assert.Empty(some.Pools);
        var same = whole.Of(eventId)!;
        Assert.Equal((same.CountedNow, same.ProjectedCountedAtStart, same.Low, same.High, same.Basis), (alone.CountedNow, alone.ProjectedCountedAtStart, alone.Low, alone.High, alone.Basis));
        Assert.Equal(same.ProjectedMissingAtStart, alone.ProjectedMissingAtStart);
        Assert.Equal(6, alone.CountedNow);
        Assert.NotNull(whole.Of(other));
        Assert.Same(whole, again);
    }

    [Fact]
    public void ARefusedUpload_IsSaidWithItsFirstBadRows()
    {
        var refusal = new DomainException(ErrorCodes.Validation, "The file was refused.",
            Enumerable.Range(1, 12).ToDictionary(i => $"changes[{i}]", i => new[] { $"bad {i}" }));

        var said = Features.Participants.UploadParticipantChanges.Refused(refusal).Split('\n');

        Assert.Equal(1 + Features.Participants.UploadParticipantChanges.RowsShown, said.Length);
        Assert.Equal(("The file was refused.", "row 1: bad 1"), (said[0], said[1]));
    }
}
