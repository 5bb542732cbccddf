using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

public enum ParticipantChangeType
{
    Added = 0,
    Cancelled = 1,
    Activated = 2,
    Reinstated = 3,
}

/// <summary>Where a participant's registration stands: the last status change by occurrence time.</summary>
public enum ParticipantState
{
    /// <summary>Only an app activation arrived so far; no registration yet.</summary>
    Unregistered = 0,
    Added = 1,
    Cancelled = 2,
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

    public ParticipantState State { get; private set; }

    /// <summary>When the latest change applied to this participant occurred, whatever its kind.</summary>
    public DateTime LastChangeAt { get; private set; } = DateTime.MinValue;

    /// <summary>Rule 1: a participant counts unless it is cancelled and never activated the app.</summary>
    public static Expression<Func<Participant, bool>> CountedRule => p => !p.Cancelled || p.AppActivated;

    private static readonly Func<Participant, bool> CountedCompiled = CountedRule.Compile();

    public bool Counted => CountedCompiled(this);

    public string Reason => Explain(State, AppActivated);

    /// <summary>Rule 1 in words: why a participant in <paramref name="state"/> counts or not.</summary>
    public static string Explain(ParticipantState state, bool activated) => (state, activated) switch
    {
        (ParticipantState.Added, false) => "Counted: registered.",
        (ParticipantState.Added, true) => "Counted: registered and activated the app.",
        (ParticipantState.Reinstated, false) => "Counted: reinstated after a cancellation.",
        (ParticipantState.Reinstated, true) => "Counted: reinstated after a cancellation, and activated the app.",
        (ParticipantState.Cancelled, true) => "Counted: cancelled after activating the app, and a participant who used the app still counts.",
        (ParticipantState.Cancelled, false) => "Not counted: cancelled before activating the app.",
        (ParticipantState.Unregistered, true) => "Counted: activated the app; no registration has arrived yet.",
        _ => "Not counted: no registration has arrived.",
    };

    /// <summary>Whether a participant in these states counts: rule 1, for lists that read the stored state.</summary>
    public static bool CountsIn(ParticipantState state, bool activated) =>
        activated || state is ParticipantState.Added or ParticipantState.Reinstated;

    /// <summary>
    /// Why <paramref name="type"/> at <paramref name="occurredAt"/> would leave this participant as it is (rule 1's
    /// last-writer-wins, or a second activation), or null when it changes something. Kept with the change's history.
    /// </summary>
    public string? NoEffect(ParticipantChangeType type, DateTime occurredAt) => type switch
    {
        ParticipantChangeType.Activated when AppActivated => "The app was already activated.",
        ParticipantChangeType.Added or ParticipantChangeType.Cancelled or ParticipantChangeType.Reinstated when occurredAt < StatusAt =>
            "Arrived after a later status change, which stands.",
        _ => null,
    };

    /// <summary>Applies one change; returns how the event's counters move.</summary>
    public CounterDelta Apply(ParticipantChangeType type, DateTime occurredAt)
    {
        var countedBefore = Counted;
        var activatedBefore = AppActivated;
        switch (type)
        {
            case ParticipantChangeType.Added:
                SetStatus(ParticipantState.Added, occurredAt);
                break;
            case ParticipantChangeType.Reinstated:
                SetStatus(ParticipantState.Reinstated, occurredAt);
                break;
            case ParticipantChangeType.Cancelled:
                SetStatus(ParticipantState.Cancelled, occurredAt);
                break;
            case ParticipantChangeType.Activated:
                AppActivated = true;
                break;
            default:
                throw DomainException.Validation("type", $"Unknown participant change type {type}.");
        }

        if (occurredAt > LastChangeAt)
        {
            LastChangeAt = occurredAt;
        }

        return new CounterDelta(
            (Counted ? 1 : 0) - (countedBefore ? 1 : 0),
            (AppActivated ? 1 : 0) - (activatedBefore ? 1 : 0));
    }

    private void SetStatus(ParticipantState state, DateTime occurredAt)
    {
        // Ties go to the later arrival, which is the order the sender gave them.
        if (occurredAt < StatusAt)
        {
            return;
        }

        State = state;
        Cancelled = state == ParticipantState.Cancelled;
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
