using EntitlementsLive.Domain;

namespace EntitlementsLive.Bench;

/// <summary>
/// The pages scenario's big event, the same on both providers: <see cref="PagesScenario.BigEventParticipants"/>
/// participants in every state the rules know, each with the changes that put it there, applied by the domain so the
/// stored state is exactly what ingestion would store.
/// </summary>
public sealed record BigEvent(IReadOnlyList<Participant> Participants, IReadOnlyList<BigEvent.Change> Changes, int Counted, int Activated)
{
    public const string Name = "Size event with 100,000 participants";

    public sealed record Change(string ChangeId, string Reference, ParticipantChangeType Type, DateTime At);

    public static DateTime StartsAt(DateTime now) => now.AddDays(30);

    public static BigEvent Of(int eventId, DateTime now)
    {
        var participants = new List<Participant>(PagesScenario.BigEventParticipants);
        var changes = new List<Change>(PagesScenario.BigEventParticipants * 3 / 2);
        int counted = 0, activated = 0;
        for (var i = 0; i < PagesScenario.BigEventParticipants; i++)
        {
            // 80 % registered (half of them activated the app), 8 % cancelled, 7 % cancelled after activating the app, 5 % reinstated.
            var bucket = i % 100;
            var added = now.AddDays(-20).AddSeconds(i);
            var own = new List<(ParticipantChangeType Type, DateTime At)> { (ParticipantChangeType.Added, added) };
            if (bucket < 80 && i % 2 == 0)
            {
                own.Add((ParticipantChangeType.Activated, added.AddDays(1)));
            }
            else if (bucket is >= 80 and < 88)
            {
                own.Add((ParticipantChangeType.Cancelled, added.AddDays(1)));
            }
            else if (bucket is >= 88 and < 95)
            {
                own.Add((ParticipantChangeType.Activated, added.AddDays(1)));
                own.Add((ParticipantChangeType.Cancelled, added.AddDays(2)));
            }
            else if (bucket >= 95)
            {
                own.Add((ParticipantChangeType.Cancelled, added.AddDays(1)));
                own.Add((ParticipantChangeType.Reinstated, added.AddDays(2)));
            }

            var p = new Participant(eventId, "Q" + i.ToString("000000", System.Globalization.CultureInfo.InvariantCulture));
            for (var c = 0; c < own.Count; c++)
            {
                p.Apply(own[c].Type, own[c].At);
                changes.Add(new Change($"{p.Reference}-{c}", p.Reference, own[c].Type, own[c].At));
            }

            counted += p.Counted ? 1 : 0;
            activated += p.AppActivated ? 1 : 0;
            participants.Add(p);
        }

        return new BigEvent(participants, changes, counted, activated);
    }
}
