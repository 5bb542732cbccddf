using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

public enum ParticipantChangeType
{
    Added = 0,
    Cancelled = 1,
    Activated = 2,
    Reinstated = 3,
}

/// <summary>
/// A participant of an event. Registration status is last-writer-wins by the time the change occurred,
/// so changes applied out of order (a cancel before its add) end in the same state as in order;
/// activating the app is permanent.
/// </summary>
public sealed class Participant
{
    public Participant(int eventId, string reference)
    {
        EventId = eventId;
        Reference = reference;

        // Until a change registers it, a participant is as good as cancelled: it does not count.
        Cancelled = true;
    }

    public long Id { get; private set; }

    public int EventId { get; private set; }

    public string Reference { get; private set; }

    public bool Cancelled { get; private set; }

    public bool AppActivated { get; private set; }

    /// <summary>When the registration status (added, cancelled, reinstated) last changed.</summary>
    public DateTime StatusAt { get; private set; } = DateTime.MinValue;

    /// <summary>Rule 1: a participant counts unless it is cancelled and never activated the app.</summary>
    public static Expression<Func<Participant, bool>> CountedRule => p => !p.Cancelled || p.AppActivated;

    private static readonly Func<Participant, bool> CountedCompiled = CountedRule.Compile();

    public bool Counted => CountedCompiled(this);

    /// <summary>Applies one change; returns how the event's counters move.</summary>
    public CounterDelta Apply(ParticipantChangeType type, DateTime occurredAt)
    {
        var countedBefore = Counted;
        var activatedBefore = AppActivated;
        switch (type)
        {
            case ParticipantChangeType.Added:
            case ParticipantChangeType.Reinstated:
                SetStatus(cancelled: false, occurredAt);
                break;
            case ParticipantChangeType.Cancelled:
                SetStatus(cancelled: true, occurredAt);
                break;
            case ParticipantChangeType.Activated:
                AppActivated = true;
                break;
            default:
                throw DomainException.Validation("type", $"Unknown participant change type {type}.");
        }

        return new CounterDelta(
            (Counted ? 1 : 0) - (countedBefore ? 1 : 0),
            (AppActivated ? 1 : 0) - (activatedBefore ? 1 : 0));
    }

    private void SetStatus(bool cancelled, DateTime occurredAt)
    {
        // Ties go to the later arrival, which is the order the sender gave them.
        if (occurredAt < StatusAt)
        {
            return;
        }

        Cancelled = cancelled;
        StatusAt = occurredAt;
    }
}

/// <summary>Where a batch of participant changes stands: stored first, applied in the background, then done or failed.</summary>
public enum BatchStatus
{
    Accepted = 0,
    Processing = 1,
    Done = 2,
    Failed = 3,
}

public readonly record struct CounterDelta(int Counted, int Activated)
{
    public static CounterDelta operator +(CounterDelta a, CounterDelta b) => new(a.Counted + b.Counted, a.Activated + b.Activated);

    public CounterDelta Add(CounterDelta other) => this + other;
}
