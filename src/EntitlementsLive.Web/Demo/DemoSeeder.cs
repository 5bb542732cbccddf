using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Demo;

/// <summary>
/// The demo data of API.md, written through the same handlers as real traffic so the ledger, pools,
/// counters and outbox agree from the first run.
/// </summary>
public sealed partial class DemoSeeder(
    AppDbContext db,
    UserManager<AppUser> users,
    RecordPurchase purchases,
    TransferToEvent transfers,
    ApplyParticipantChanges participants,
    Features.Forecasts.SweepProjectedShortfalls projections,
    TimeProvider clock,
    ILogger<DemoSeeder> log)
{
    public const string Password = "Demo!2345";
    public const string SummitName = "Acme Summit 2026";
    private readonly Dictionary<int, string> _adminOf = [];

    public async Task SeedIfEmptyAsync(CancellationToken ct)
    {
        if (await db.Organizations.AnyAsync(ct))
        {
            return;
        }

        await SeedAsync(ct);
    }

    public async Task SeedAsync(CancellationToken ct)
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;

        var acme = new Organization("Acme Events", entitlementsActivated: true);
        var globex = new Organization("Globex Live", entitlementsActivated: true);
        var initech = new Organization("Initech Meetups", entitlementsActivated: false);
        db.Organizations.AddRange(acme, globex, initech);
        await db.SaveChangesAsync(ct);

        var summit = EventIn("Europe/Paris", acme, SummitName, today.AddDays(10), 3, ProductCodes.LeadRetrieval);
        var launch = Event(acme, "Acme Product Launch", today.AddDays(24), 1, ProductCodes.LiveStreaming);
        var partner = Event(acme, "Acme Partner Day", today.AddDays(40), 1, ProductCodes.Gamification);
        var winter = Event(acme, "Acme Winter Meetup 2025", today.AddDays(-300), 2);
        var roadshow = Event(acme, "Acme Roadshow Spring 2026", today.AddDays(-200), 2, ProductCodes.LeadRetrieval);
        var tour = EventIn("Asia/Singapore", globex, "Globex Live Tour", today.AddDays(15), 5, ProductCodes.LiveStreaming);
        var expo = Event(globex, "Globex Expo", today.AddDays(60), 2);
        var kickoff = Event(globex, "Globex Kickoff 2026", today.AddDays(-120), 1);

        // Acme's older events, covered long ago: the registration histories its forecasts learn from.
        var history = new[]
        {
            (Event: Event(acme, "Acme Spring Forum 2025", today.AddDays(-560), 2), Active: 80, Cancelled: 4),
            (Event: Event(acme, "Acme Developer Day 2025", today.AddDays(-420), 1), Active: 55, Cancelled: 2),
            (Event: Event(acme, "Acme Autumn Summit 2025", today.AddDays(-250), 2), Active: 140, Cancelled: 9),
            (Event: Event(acme, "Acme Customer Day 2026", today.AddDays(-90), 1), Active: 70, Cancelled: 3),
        };
        var initechEvent = Event(initech, "Initech TPS Reports Meetup", today.AddDays(20), 1);
        await db.SaveChangesAsync(ct);

        await User("admin@acme.test", "Alex Admin (Acme)", Membership.Administrator("", acme.Id));
        await User("team@acme.test", "Taylor Team (Acme Summit)", Membership.Team("", acme.Id, summit.Id));
        await User("admin@globex.test", "Gina Admin (Globex)", Membership.Administrator("", globex.Id));
        await User("admin@initech.test", "Ian Admin (Initech)", Membership.Administrator("", initech.Id));
        await User("ops@platform.test", "Olivia Ops", Membership.Ops(""));

        await Purchase(acme, ProductCodes.Subscription, history.Sum(h => h.Active), "ACME-2025-001", ct);
        await Purchase(acme, ProductCodes.Subscription, 300, "ACME-2026-001", ct);
        await Purchase(acme, ProductCodes.LeadRetrieval, 3, "ACME-2026-001", ct);
        await Purchase(acme, ProductCodes.LiveStreaming, 2, "ACME-2026-002", ct);
        await Purchase(acme, ProductCodes.Gamification, 1, "ACME-2026-002", ct);
        await Purchase(globex, ProductCodes.Subscription, 200, "GLX-7781", ct);
        await Purchase(globex, ProductCodes.LiveStreaming, 1, "GLX-7781", ct);

        // Participants: the summit has 128 counted (120 active, 8 cancelled after activating the app) and 6 cancelled who never did.
        await Participants(summit, active: 120, cancelledActivated: 8, cancelledOnly: 6, activated: 64, ct);
        await Participants(launch, active: 40, cancelledActivated: 0, cancelledOnly: 3, activated: 12, ct);
        await Participants(partner, active: 25, cancelledActivated: 0, cancelledOnly: 0, activated: 0, ct);
        await Participants(winter, active: 60, cancelledActivated: 2, cancelledOnly: 5, activated: 50, ct);
        await Participants(roadshow, active: 35, cancelledActivated: 0, cancelledOnly: 1, activated: 30, ct);
        await Participants(tour, active: 90, cancelledActivated: 0, cancelledOnly: 4, activated: 20, ct);
        await Participants(expo, active: 30, cancelledActivated: 0, cancelledOnly: 0, activated: 0, ct);
        await Participants(kickoff, active: 45, cancelledActivated: 1, cancelledOnly: 2, activated: 40, ct);
        await Participants(initechEvent, active: 12, cancelledActivated: 0, cancelledOnly: 0, activated: 0, ct);
        foreach (var (e, active, cancelled) in history)
        {
            await Participants(e, active, cancelledActivated: 0, cancelledOnly: cancelled, activated: active * 3 / 4, ct);
            await Transfer(e, ProductCodes.Subscription, active, ct);
        }

        // The summit is short of subscriptions; the partner day of a module; the roadshow (past) of both.
        await Transfer(summit, ProductCodes.Subscription, 100, ct);
        await Transfer(summit, ProductCodes.LeadRetrieval, null, ct);
        await Transfer(launch, ProductCodes.Subscription, 40, ct);
        await Transfer(launch, ProductCodes.LiveStreaming, null, ct);
        await Transfer(partner, ProductCodes.Subscription, 25, ct);
        await Transfer(winter, ProductCodes.Subscription, 62, ct);
        await Transfer(roadshow, ProductCodes.Subscription, 30, ct);
        await Transfer(tour, ProductCodes.Subscription, 90, ct);
        await Transfer(expo, ProductCodes.Subscription, 30, ct);
        await Transfer(kickoff, ProductCodes.Subscription, 46, ct);

        // Acme's subscriptions are projected short of its live events: its alert is there from the start.
        await projections.Handle(ct);
        LogSeeded(log, Password);
    }

    private Event Event(Organization org, string name, DateTime start, int days, params string[] modules) =>
        EventIn(global::EntitlementsLive.Domain.Event.Utc, org, name, start, days, modules);

    /// <summary>An event from 09:00 on its first day to 18:00 on its last, in the zone where it takes place.</summary>
    private Event EventIn(string zone, Organization org, string name, DateTime start, int days, params string[] modules)
    {
        // A machine without the time zone database seeds in UTC rather than not at all.
        var info = EventTimes.Zone(zone);
        zone = info == TimeZoneInfo.Utc ? global::EntitlementsLive.Domain.Event.Utc : zone;
        DateTime Utc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), info);
        var e = new Event(org.Id, name, Utc(start.AddHours(9)), Utc(start.AddDays(days - 1).AddHours(18)));
        e.PlaceIn(zone);
        foreach (var module in modules)
        {
            e.UseModule(module);
        }

        db.Events.Add(e);
        return e;
    }

    private async Task User(string email, string displayName, Membership template)
    {
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException("Could not create demo user " + email + ": " + string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        if (template.Role == Role.OrganizationAdministrator)
        {
            _adminOf[template.OrganizationId!.Value] = email;
        }

        db.Memberships.Add(template.Role switch
        {
            Role.OrganizationAdministrator => Membership.Administrator(user.Id, template.OrganizationId!.Value),
            Role.EventTeam => Membership.Team(user.Id, template.OrganizationId!.Value, template.EventId!.Value),
            _ => Membership.Ops(user.Id),
        });
        await db.SaveChangesAsync();
    }

    private Task<PurchaseResult> Purchase(Organization org, string product, long quantity, string reference, CancellationToken ct) =>
        purchases.Handle(org.Id, new PurchaseRequest(product, quantity, reference, $"seed-{org.Id}-{product}-{reference}"), "ops@platform.test", ct);

    private Task<TransferResult> Transfer(Event e, string product, int? quantity, CancellationToken ct) =>
        transfers.Handle(e.OrganizationId, e.Id, new TransferRequest(product, quantity, $"seed-{e.Id}-{product}"),
            _adminOf[e.OrganizationId], ct);

    /// <summary>
    /// The event's participants with a realistic registration history: registrations open 90 days before the start and
    /// pick up as it nears (each event its own curve, drawn from its name), up to today for a live event; app activations
    /// and cancellations follow a few days after registering, never after the start.
    /// </summary>
    private async Task Participants(Event e, int active, int cancelledActivated, int cancelledOnly, int activated, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var random = new Random(StableSeed(e.Name));
        var opens = e.StartsAt.AddDays(-RegistrationDays);
        var shape = 1.5 + (random.NextDouble() * 0.7);

        // Share of the final count reached d days before the start: (1 − d/90)^shape. A live event is cut at today.
        double Reached(double daysBefore) => Math.Pow(1 - (Math.Clamp(daysBefore, 0, RegistrationDays) / RegistrationDays), shape);
        var cut = Reached((e.StartsAt - now).TotalDays);
        DateTime RegisteredAt(double share)
        {
            var daysBefore = RegistrationDays * (1 - Math.Pow(share * cut, 1 / shape));
            var at = e.StartsAt.AddDays(-daysBefore);
            return at < opens ? opens : at > now ? now.AddMinutes(-1) : at;
        }

        var last = Earliest(now, e.StartsAt);
        var changes = new List<ParticipantChange>();
        var total = active + cancelledActivated + cancelledOnly;
        for (var i = 1; i <= total; i++)
        {
            var reference = FormattableString.Invariant($"P-{e.Id}-{i:0000}");
            var added = RegisteredAt((i - 0.5 + ((random.NextDouble() - 0.5) * 0.8)) / total);
            changes.Add(new(reference + "-add", reference, ParticipantChangeType.Added, added));
            if (i <= activated || (i > active && i <= active + cancelledActivated))
            {
                changes.Add(new(reference + "-act", reference, ParticipantChangeType.Activated, Earliest(added.AddDays(1 + random.Next(5)), last)));
            }

            if (i > active)
            {
                changes.Add(new(reference + "-cancel", reference, ParticipantChangeType.Cancelled, Earliest(added.AddDays(2 + random.Next(10)), last)));
            }
        }

        await participants.Handle(e.OrganizationId, e.Id, changes, ct);

        static DateTime Earliest(DateTime a, DateTime b) => a < b ? a : b;
    }

    private const double RegistrationDays = 90;

    private static int StableSeed(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the demo data: 3 organizations, 13 events, 5 users (password {Password})")]
    private static partial void LogSeeded(ILogger logger, string password);
}
