using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

public enum EventStatus
{
    Live = 0,
    Past = 1,
}

/// <summary>Where the platform says an event stands. Rule 11: test and cancelled events require nothing.</summary>
public enum ProductionStatus
{
    Production = 0,
    Preproduction = 1,
    Test = 2,
    Cancelled = 3,
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
        ValidateSchedule(name, startsAt, endsAt);
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

    /// <summary>Where the event takes place, as an IANA time zone name: its dates are shown in it. UTC when the platform did not say.</summary>
    public string TimeZone { get; private set; } = Utc;

    public const string Utc = "UTC";

    public const int TimeZoneMaxLength = 64;

    /// <summary>The platform's own id of the event, for its idempotent sync (unique per organization).</summary>
    public string? ExternalRef { get; private set; }

    public ProductionStatus ProductionStatus { get; private set; }

    /// <summary>Rule 11: only events in production or preproduction require entitlements.</summary>
    public bool RequiresEntitlements => ProductionStatus is ProductionStatus.Production or ProductionStatus.Preproduction;

    /// <summary>Rule 1: participants that count (not cancelled, or cancelled after activating the app).</summary>
    public int CountedParticipants { get; private set; }

    public int ActivatedParticipants { get; private set; }

    /// <summary>Rule 3, derived from <see cref="Products"/>; stored so "missing only" lists stay an index lookup.</summary>
    public bool IsMissing { get; private set; }

    public IReadOnlyList<EventProduct> Products => _products;

    /// <summary>
    /// Rule 3 as a query condition: events whose <see cref="IsMissing"/> is <paramref name="missing"/>. Compared with a
    /// parameter, not tested bare, so the database seeks its (organization, missing, …) indexes instead of scanning.
    /// </summary>
    public static Expression<Func<Event, bool>> MissingIs(bool missing) => e => e.IsMissing == missing;

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

    /// <summary>Where the event takes place (an IANA name, checked by the caller), for events not created by the platform's sync.</summary>
    public void PlaceIn(string timeZone) => TimeZone = timeZone;

    /// <summary>Rule 2: one entitlement of each module product for each Advanced Module the event uses.</summary>
    public void UseModule(string moduleCode)
    {
        var row = _products.Find(p => p.ProductCode == moduleCode);
        if (row is null)
        {
            row = new EventProduct(moduleCode, required: 0);
            _products.Add(row);
        }

        row.Use(true);
        Recompute();
    }

    /// <summary>Rule 2: participants changed by <paramref name="delta"/>; the event requires one subscription per counted participant.</summary>
    public void ApplyCounters(CounterDelta delta)
    {
        CountedParticipants += delta.Counted;
        ActivatedParticipants += delta.Activated;
        Recompute();
    }

    /// <summary>
    /// The platform's view of the event (its sync). Dropping a module lowers what is required, never what was
    /// allocated (rule 5); a test or cancelled event requires nothing (rule 11). Returns whether anything changed.
    /// </summary>
    public bool Sync(string externalRef, string name, DateTime startsAt, DateTime endsAt, ProductionStatus status, IReadOnlyCollection<string> modules,
        string? timeZone = null)
    {
        var before = Fingerprint();
        ValidateSchedule(name, startsAt, endsAt);
        (ExternalRef, Name, StartsAt, EndsAt, ProductionStatus, TimeZone) = (externalRef, name, startsAt, endsAt, status, timeZone ?? Utc);
        foreach (var row in _products.Where(p => p.ProductCode != ProductCodes.Subscription))
        {
            row.Use(modules.Contains(row.ProductCode));
        }

        foreach (var module in modules.Where(m => !_products.Exists(p => p.ProductCode == m)))
        {
            var row = new EventProduct(module, required: 0);
            row.Use(true);
            _products.Add(row);
        }

        Recompute();
        return Fingerprint() != before;
    }

    private string Fingerprint() => FormattableString.Invariant(
        $"{ExternalRef}|{Name}|{StartsAt:O}|{EndsAt:O}|{TimeZone}|{ProductionStatus}|{IsMissing}|{string.Join(",", _products.Select(p => $"{p.ProductCode}:{p.InUse}:{p.Required}"))}");

    /// <summary>Rules 2 and 11: what each product requires now.</summary>
    private void Recompute()
    {
        foreach (var row in _products)
        {
            row.Require(!RequiresEntitlements ? 0
                : row.ProductCode == ProductCodes.Subscription ? CountedParticipants
                : row.InUse ? 1 : 0);
        }

        RefreshMissing();
    }

    private static void ValidateSchedule(string name, DateTime startsAt, DateTime endsAt)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw DomainException.Validation("name", "An event needs a name.");
        }

        if (endsAt <= startsAt)
        {
            throw DomainException.Validation("endsAt", "An event must end after it starts.");
        }
    }

    /// <summary>
    /// A transfer's allocation (rules 3 and 6): a module the event already holds is refused, before any balance is
    /// looked at. The ledger persists it with a conditional update guarded by <see cref="EventProduct.Accepts"/>.
    /// </summary>
    public CoverageChanged Allocate(Product product, long quantity)
    {
        var wasMissing = IsMissing;
        var row = _products.Find(p => p.ProductCode == product.Code);
        if (row is null)
        {
            row = EventProduct.ForEvent(Id, product.Code, required: 0, allocated: 0);
            _products.Add(row);
        }

        row.Allocate(product.Kind, quantity, Name);
        RefreshMissing();
        return new CoverageChanged(this, wasMissing != IsMissing);
    }

    /// <summary>Rule 9: the event ended and its screens move it from Live to Past once.</summary>
    public CoverageChanged AnnounceEnded()
    {
        AnnouncePast();
        return new CoverageChanged(this, MissingCountsChanged: true);
    }

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

    private EventProduct()
    {
        // For reads by the model's mapping (every property is set from its column).
        ProductCode = "";
    }

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

    /// <summary>For a module: whether the event uses it (what it requires follows from this and the event's status).</summary>
    public bool InUse { get; private set; }

    public void Require(long required) => Required = required;

    public void Use(bool inUse) => InUse = inUse;

    /// <summary>Rule 6 on the row itself: refused for a module the event already holds.</summary>
    internal void Allocate(ProductKind kind, long quantity, string eventName)
    {
        if (!AcceptsAllocation(kind, Allocated))
        {
            throw Event.ModuleAlreadyAllocated(ProductCode, eventName);
        }

        Allocated += quantity;
    }
}
