using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

public enum EventStatus
{
    Live = 0,
    Past = 1,
}

/// <summary>An event of an organization, with counters kept incrementally as participants change.</summary>
public sealed class Event
{
    private readonly List<EventProduct> _products = [];

    private Event()
    {
        // For EF Core: the product rows come from the database, not from the constructor below.
        Name = "";
    }

    public Event(int organizationId, string name, DateTime startsAt, DateTime endsAt)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw DomainException.Validation("name", "An event needs a name.");
        }

        if (endsAt <= startsAt)
        {
            throw DomainException.Validation("endsAt", "An event must end after it starts.");
        }

        OrganizationId = organizationId;
        Name = name;
        StartsAt = startsAt;
        EndsAt = endsAt;
        _products.Add(new EventProduct(ProductCodes.Subscription, required: 0));
    }

    public int Id { get; private set; }

    public int OrganizationId { get; private set; }

    public string Name { get; private set; }

    public DateTime StartsAt { get; private set; }

    public DateTime EndsAt { get; private set; }

    /// <summary>Rule 1: participants that count (not cancelled, or cancelled after activating the app).</summary>
    public int CountedParticipants { get; private set; }

    public int ActivatedParticipants { get; private set; }

    /// <summary>Rule 3, derived from <see cref="Products"/>; stored so "missing only" lists stay an index lookup.</summary>
    public bool IsMissing { get; private set; }

    public IReadOnlyList<EventProduct> Products => _products;

    /// <summary>Set once screens were told the event moved from Live to Past.</summary>
    public bool PastAnnounced { get; private set; }

    /// <summary>Rule 9: an event is Live until it ends, then Past.</summary>
    private static readonly Expression<Func<Event, DateTime, bool>> IsLive = (e, now) => e.EndsAt > now;

    private static readonly Func<Event, DateTime, bool> IsLiveCompiled = IsLive.Compile();

    /// <summary>Rule 9 as a query condition.</summary>
    public static Expression<Func<Event, bool>> LiveAt(DateTime now) => Expressions.Bind(IsLive, now);

    /// <summary>Rule 9: the complement of <see cref="LiveAt"/>.</summary>
    public static Expression<Func<Event, bool>> PastAt(DateTime now) => Expressions.Not(LiveAt(now));

    /// <summary>Rule 9 on one event.</summary>
    public EventStatus StatusAt(DateTime now) => IsLiveCompiled(this, now) ? EventStatus.Live : EventStatus.Past;

    /// <summary>Events that ended and whose screens were not yet told so.</summary>
    public static Expression<Func<Event, bool>> EndedUnannounced(DateTime now) =>
        Expressions.And(e => !e.PastAnnounced, PastAt(now));

    public void AnnouncePast() => PastAnnounced = true;

    /// <summary>Rule 2: one entitlement of each module product for each Advanced Module the event uses.</summary>
    public void UseModule(string moduleCode)
    {
        var row = _products.Find(p => p.ProductCode == moduleCode);
        if (row is null)
        {
            _products.Add(new EventProduct(moduleCode, required: 1));
        }
        else
        {
            row.Require(1);
        }

        RefreshMissing();
    }

    /// <summary>Rule 2: participants changed by <paramref name="delta"/>; the event requires one subscription per counted participant.</summary>
    public void ApplyCounters(CounterDelta delta)
    {
        CountedParticipants += delta.Counted;
        ActivatedParticipants += delta.Activated;
        Subscription.Require(CountedParticipants);
        RefreshMissing();
    }

    private EventProduct Subscription => _products.Find(p => p.ProductCode == ProductCodes.Subscription)
        ?? throw new InvalidOperationException("Every event has a subscription row.");

    /// <summary>Rule 3: the event is missing entitlements when any product is short.</summary>
    public void RefreshMissing() => IsMissing = _products.Exists(p => p.Missing > 0);

    /// <summary>Counters recomputed from the participants, for the reconcile job; returns whether they drifted.</summary>
    public bool Reconcile(int counted, int activated)
    {
        var drifted = counted != CountedParticipants || activated != ActivatedParticipants;
        ApplyCounters(new CounterDelta(counted - CountedParticipants, activated - ActivatedParticipants));
        return drifted;
    }

    public static DomainException ModuleAlreadyAllocated(string productCode, string eventName) =>
        new(ErrorCodes.ModuleAlreadyAllocated,
            $"{eventName} already holds {productCode}; a second one would waste a final transfer. Nothing was transferred.");
}

/// <summary>Per event and product: what is required and what was allocated. Rule 3: missing = required − allocated, never below zero.</summary>
public sealed class EventProduct
{
    private static readonly Func<EventProduct, long> MissingCompiled = MissingOf.Compile();

    public EventProduct(string productCode, long required)
    {
        ProductCode = productCode;
        Required = required;
    }

    public int EventId { get; private set; }

    public string ProductCode { get; private set; }

    public static EventProduct ForEvent(int eventId, string productCode, long required, long allocated) =>
        new(productCode, required) { EventId = eventId, Allocated = allocated };

    public long Required { get; private set; }

    public long Allocated { get; private set; }

    /// <summary>Rule 3 as a query expression (sums of what is missing are computed in the database).</summary>
    public static Expression<Func<EventProduct, long>> MissingOf => p => p.Required > p.Allocated ? p.Required - p.Allocated : 0;

    public long Missing => MissingCompiled(this);

    /// <summary>
    /// Rule 6: an allocation is accepted unless the product is a module the event already holds. The ledger
    /// applies this condition inside its guarded update.
    /// </summary>
    public static Expression<Func<EventProduct, bool>> Accepts(ProductKind kind) =>
        p => kind != ProductKind.Module || p.Allocated == 0;

    /// <summary>The same rule on figures already read.</summary>
    public static bool AcceptsAllocation(ProductKind kind, long allocated) => kind != ProductKind.Module || allocated == 0;

    public void Require(long required) => Required = required;
}
