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

    /// <summary>Derived from <see cref="Products"/>; stored so "missing only" lists stay an index lookup.</summary>
    public bool IsMissing { get; private set; }

    public IReadOnlyList<EventProduct> Products => _products;

    /// <summary>Set once screens were told the event moved from Live to Past.</summary>
    public bool PastAnnounced { get; private set; }

    /// <summary>Rule 9: Live until it ends, then Past.</summary>
    public EventStatus StatusAt(DateTime now) => StatusOf(EndsAt, now);

    public static EventStatus StatusOf(DateTime endsAt, DateTime now) => endsAt > now ? EventStatus.Live : EventStatus.Past;

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

    public void ApplyCounters(int countedDelta, int activatedDelta)
    {
        CountedParticipants += countedDelta;
        ActivatedParticipants += activatedDelta;
        Subscription.Require(CountedParticipants);
        RefreshMissing();
    }

    public EventProduct Subscription => _products.Find(p => p.ProductCode == ProductCodes.Subscription)
        ?? throw new InvalidOperationException("Every event has a subscription row.");

    /// <summary>Adds an allocation in memory (the database applies the same change with a guarded update).</summary>
    public void Allocate(Product product, long quantity)
    {
        var row = _products.Find(p => p.ProductCode == product.Code);
        if (row is null)
        {
            row = new EventProduct(product.Code, required: 0);
            _products.Add(row);
        }

        if (product.Kind == ProductKind.Module && row.Allocated > 0)
        {
            throw ModuleAlreadyAllocated(product.Code, Name);
        }

        row.AddAllocation(quantity);
        RefreshMissing();
    }

    public void RefreshMissing() => IsMissing = _products.Exists(p => p.Missing > 0);

    /// <summary>Sets the derived flag from rows read elsewhere (the product rows are not always loaded).</summary>
    public void SetMissing(bool missing) => IsMissing = missing;

    /// <summary>Counters recomputed from the participants, for the reconcile job; returns whether they drifted.</summary>
    public bool Reconcile(int counted, int activated)
    {
        var drifted = counted != CountedParticipants || activated != ActivatedParticipants;
        CountedParticipants = counted;
        ActivatedParticipants = activated;
        Subscription.Require(counted);
        RefreshMissing();
        return drifted;
    }

    public static DomainException ModuleAlreadyAllocated(string productCode, string eventName) =>
        new(ErrorCodes.ModuleAlreadyAllocated,
            $"{eventName} already holds {productCode}; a second one would waste a final transfer. Nothing was transferred.");
}

/// <summary>Per event and product: what is required and what was allocated. Rule 3: missing = required − allocated, never below zero.</summary>
public sealed class EventProduct
{
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

    public long Missing => Coverage.Missing(Required, Allocated);

    public void Require(long required) => Required = required;

    public void AddAllocation(long quantity) => Allocated += quantity;
}

public static class Coverage
{
    public static long Missing(long required, long allocated) => Math.Max(0, required - allocated);
}
