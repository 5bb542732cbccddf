using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>The Events tab's screen query: its page, its red window and its counts, against the rows themselves.</summary>
[Collection(AppCollection.Name)]
public sealed class EventsScreenTests(AppFactory app)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task TheScreen_PagesInTheListsOrder_AndItsRedWindowIsLiveRedSoonestFirstThenPastRed()
    {
        var (orgId, _) = await app.NewOrganization(subscriptions: 0);
        var now = DateTime.UtcNow;
        // Created in a shuffled order, so an order by id alone would not pass: 20 live red, 35 live covered, 8 past red,
        // 4 past covered; two live red events start at the same instant (the id breaks the tie).
        var shapes = Enumerable.Range(0, 20).Select(i => (Live: true, Red: true, Day: i == 7 ? 3 : i))
            .Concat(Enumerable.Range(0, 35).Select(i => (Live: true, Red: false, Day: i)))
            .Concat(Enumerable.Range(0, 8).Select(i => (Live: false, Red: true, Day: i)))
            .Concat(Enumerable.Range(0, 4).Select(i => (Live: false, Red: false, Day: i)))
            .OrderBy(s => (s.Day * 7919 + (s.Red ? 13 : 0) + (s.Live ? 5 : 0)) % 67).ToList();
        await app.WithDb(async db =>
        {
            foreach (var (live, red, day) in shapes)
            {
                var start = live ? now.AddDays(2 + day) : now.AddDays(-60 + day);
                var e = new Event(orgId, $"{(live ? "live" : "past")} {(red ? "red" : "ok")} {day}", start, start.AddHours(live ? 8 : 30 - day));
                if (red)
                {
                    e.UseModule(ProductCodes.LeadRetrieval);
                }

                db.Events.Add(e);
            }

            return await db.SaveChangesAsync();
        });
        var rows = await app.WithDb(db => db.Events.AsNoTracking().Where(e => e.OrganizationId == orgId).ToListAsync());
        var live = rows.Where(e => e.EndsAt > now).OrderBy(e => e.StartsAt).ThenBy(e => e.Id).ToList();
        var past = rows.Where(e => e.EndsAt <= now).OrderByDescending(e => e.EndsAt).ThenBy(e => e.Id).ToList();
        var window = live.Where(e => e.IsMissing).Concat(rows.Where(e => e.EndsAt <= now && e.IsMissing).OrderBy(e => e.StartsAt).ThenBy(e => e.Id))
            .Take(EventsScreen.MissingWindowSize).Select(e => e.Id).ToList();

        var first = await Screen(orgId, null, missingOnly: false, 1);
        var second = await Screen(orgId, "live", missingOnly: false, 2);
        var pastPage = await Screen(orgId, "past", missingOnly: false, 1);
        var redLive = await Screen(orgId, "live", missingOnly: true, 1);
        var beyond = await Screen(orgId, "past", missingOnly: false, 9);

        Assert.Equal((EventFilter.Live, "live", false, true), (first.Filter, first.Status, first.HasPrevious, first.HasNext));
        Assert.Equal(live.Take(EventsScreen.PageSize).Select(e => e.Id), first.Events.Select(e => e.Id));
        Assert.Equal(live.Skip(EventsScreen.PageSize).Select(e => e.Id), second.Events.Select(e => e.Id));
        Assert.Equal((true, false), (second.HasPrevious, second.HasNext));
        Assert.Equal(past.Select(e => e.Id), pastPage.Events.Select(e => e.Id));
        Assert.Null(pastPage.Forecast);
        Assert.NotNull(first.Forecast);

        // The red window: every live red event by start, then the past red ones by start, 25 in all, on every sub-tab.
        Assert.Equal(window, first.MissingWindow.Select(e => e.Id));
        Assert.Equal(window, pastPage.MissingWindow.Select(e => e.Id));
        Assert.Equal(20 + 5, window.Count);
        Assert.All(first.MissingWindow, e => Assert.True(e.Missing));
        Assert.Equal((20, 8, 28), (first.Missing.LiveEventsMissing, first.Missing.PastEventsMissing, first.TotalMissing));

        // Counts per sub-tab: all events, or with "Missing only" the red counts.
        Assert.Equal((live.Count, past.Count), (first.LiveCount, first.PastCount));
        Assert.Equal((20, 8), (redLive.LiveCount, redLive.PastCount));
        Assert.Equal(live.Where(e => e.IsMissing).Select(e => e.Id), redLive.Events.Select(e => e.Id));

        // A page past the end is empty, not an error; a page number below one is the first page.
        Assert.Empty(beyond.Events);
        Assert.Equal((false, true), (beyond.HasNext, beyond.HasPrevious));
        Assert.Equal(first.Events.Select(e => e.Id), (await Screen(orgId, "bogus", missingOnly: false, -3)).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task WithNothingRed_TheWindowIsEmpty()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 0);
        var screen = await Screen(orgId, "live", missingOnly: false, 1);

        Assert.Empty(screen.MissingWindow);
        Assert.Equal(0, screen.TotalMissing);
        Assert.Equal([eventId], screen.Events.Select(e => e.Id));
        Assert.Equal((1, 0), (screen.LiveCount, screen.PastCount));
    }

    private Task<EventsScreen> Screen(int orgId, string? status, bool missingOnly, int page) =>
        app.With<EventsScreenQuery, EventsScreen>(q => q.For(orgId, new EventsScreenRequest(status, missingOnly, page), Ct));
}
