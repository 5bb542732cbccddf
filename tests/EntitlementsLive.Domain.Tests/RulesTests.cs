using System.Linq.Expressions;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Domain.Tests;

// Each rule of DESIGN.md is tested here through the very member production calls: the in-memory method,
// or the compiled form of the expression the database queries and guarded updates use.

/// <summary>Rule 1: counted participants; last-writer-wins on registration status.</summary>
public class CountingTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly Func<Participant, bool> CountedInTheDatabase = Participant.CountedRule.Compile();

    private static Participant With(bool cancelled, bool activated)
    {
        var p = new Participant(1, "P1");
        p.Apply(ParticipantChangeType.Added, T0);
        if (activated)
        {
            p.Apply(ParticipantChangeType.Activated, T0.AddMinutes(1));
        }

        if (cancelled)
        {
            p.Apply(ParticipantChangeType.Cancelled, T0.AddMinutes(2));
        }

        return p;
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    public void Participant_Counts_UnlessCancelledAndNeverActivated(bool cancelled, bool activated, bool counted)
    {
        var p = With(cancelled, activated);
        Assert.Equal(counted, p.Counted);
        Assert.Equal(counted, CountedInTheDatabase(p));
    }

    [Fact]
    public void CancelledParticipant_WhoActivatedTheApp_StillCounts()
    {
        var p = new Participant(1, "P1");
        var total = p.Apply(ParticipantChangeType.Added, T0);
        total += p.Apply(ParticipantChangeType.Activated, T0.AddMinutes(1));
        total += p.Apply(ParticipantChangeType.Cancelled, T0.AddMinutes(2));

        Assert.True(p.Cancelled);
        Assert.True(p.Counted);
        Assert.Equal(new CounterDelta(1, 1), total);
    }

    [Fact]
    public void Cancel_ArrivingBeforeItsAdd_EndsCancelled()
    {
        var p = new Participant(1, "P1");
        var total = p.Apply(ParticipantChangeType.Cancelled, T0.AddMinutes(5));
        total += p.Apply(ParticipantChangeType.Added, T0);

        Assert.True(p.Cancelled);
        Assert.False(p.Counted);
        Assert.Equal(default, total);
    }

    [Fact]
    public void Reinstated_AfterCancel_CountsAgain()
    {
        var p = new Participant(1, "P1");
        var total = p.Apply(ParticipantChangeType.Added, T0);
        total += p.Apply(ParticipantChangeType.Cancelled, T0.AddMinutes(1));
        Assert.Equal(0, total.Counted);
        total += p.Apply(ParticipantChangeType.Reinstated, T0.AddMinutes(2));
        Assert.Equal(1, total.Counted);
        Assert.True(p.Counted);
    }

    [Fact]
    public void UnknownParticipant_DoesNotCount_UntilAdded() => Assert.False(new Participant(1, "P1").Counted);

    /// <summary>Every path to every state: the stored state, the reason in words and the list filter agree with rule 1.</summary>
    [Theory]
    [InlineData(new[] { ParticipantChangeType.Added }, ParticipantState.Added, true)]
    [InlineData(new[] { ParticipantChangeType.Added, ParticipantChangeType.Activated }, ParticipantState.Added, true)]
    [InlineData(new[] { ParticipantChangeType.Added, ParticipantChangeType.Cancelled }, ParticipantState.Cancelled, false)]
    [InlineData(new[] { ParticipantChangeType.Added, ParticipantChangeType.Activated, ParticipantChangeType.Cancelled }, ParticipantState.Cancelled, true)]
    [InlineData(new[] { ParticipantChangeType.Added, ParticipantChangeType.Cancelled, ParticipantChangeType.Reinstated }, ParticipantState.Reinstated, true)]
    [InlineData(new[] { ParticipantChangeType.Cancelled, ParticipantChangeType.Reinstated, ParticipantChangeType.Activated }, ParticipantState.Reinstated, true)]
    [InlineData(new[] { ParticipantChangeType.Activated }, ParticipantState.Unregistered, true)]
    [InlineData(new[] { ParticipantChangeType.Cancelled }, ParticipantState.Cancelled, false)]
    public void State_AndReason_FollowTheChanges(ParticipantChangeType[] changes, ParticipantState state, bool counted)
    {
        var p = new Participant(1, "P1");
        for (var i = 0; i < changes.Length; i++)
        {
            p.Apply(changes[i], T0.AddMinutes(i));
        }

        Assert.Equal(state, p.State);
        Assert.Equal(counted, p.Counted);
        Assert.Equal(counted, Participant.CountsIn(p.State, p.AppActivated));
        Assert.StartsWith(counted ? "Counted:" : "Not counted:", p.Reason, StringComparison.Ordinal);
        Assert.Equal(T0.AddMinutes(changes.Length - 1), p.LastChangeAt);
    }

    [Fact]
    public void LateChange_KeepsTheLatestTimes()
    {
        var p = new Participant(1, "P1");
        p.Apply(ParticipantChangeType.Cancelled, T0.AddMinutes(5));
        p.Apply(ParticipantChangeType.Reinstated, T0);

        Assert.Equal(ParticipantState.Cancelled, p.State);
        Assert.Equal(T0.AddMinutes(5), p.LastChangeAt);
        Assert.Equal("Not counted: cancelled before activating the app.", p.Reason);
    }
}

/// <summary>Rules 2, 3 and 9: what an event requires, what it misses, Live or Past.</summary>
public class CoverageTests
{
    private static readonly DateTime Start = new(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly Func<EventProduct, long> MissingInTheDatabase = EventProduct.MissingOf.Compile();

    [Theory]
    [InlineData(10, 7, 3)]
    [InlineData(10, 10, 0)]
    [InlineData(10, 12, 0)]
    [InlineData(0, 3, 0)]
    public void Missing_IsRequiredMinusAllocated_NeverBelowZero(long required, long allocated, long missing)
    {
        var row = EventProduct.ForEvent(1, ProductCodes.Subscription, required, allocated);
        Assert.Equal(missing, row.Missing);
        Assert.Equal(missing, MissingInTheDatabase(row));
    }

    [Fact]
    public void Event_RequiresOneSubscriptionPerCountedParticipant_AndOneOfEachModuleItUses()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        e.UseModule(ProductCodes.LeadRetrieval);
        e.ApplyCounters(new CounterDelta(5, 2));
        e.ApplyCounters(new CounterDelta(-1, 0));

        Assert.Equal(4, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
        Assert.Equal(1, e.Products.Single(p => p.ProductCode == ProductCodes.LeadRetrieval).Required);
        Assert.Equal((4, 2), (e.CountedParticipants, e.ActivatedParticipants));
        Assert.True(e.IsMissing);
    }

    [Fact]
    public void Event_IsCovered_WhenNothingIsMissing()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        Assert.False(e.IsMissing);
        e.ApplyCounters(new CounterDelta(1, 0));
        Assert.True(e.IsMissing);
        e.ApplyCounters(new CounterDelta(-1, 0));
        Assert.False(e.IsMissing);
    }

    [Fact]
    public void Reconcile_ReportsDrift_AndRequiresTheRecount()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        e.ApplyCounters(new CounterDelta(9, 0));
        Assert.True(e.Reconcile(4, 1));
        Assert.Equal(4, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
        Assert.False(e.Reconcile(4, 1));
    }

    [Fact]
    public void Event_IsLiveUntilItEnds_ThenPast_InMemoryAndInQueries()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        foreach (var (now, status) in new[] { (Start.AddHours(7), EventStatus.Live), (Start.AddHours(8), EventStatus.Past), (Start.AddDays(1), EventStatus.Past) })
        {
            Assert.Equal(status, e.StatusAt(now));
            Assert.Equal(status == EventStatus.Live, Event.LiveAt(now).Compile()(e));
            Assert.Equal(status == EventStatus.Past, Event.PastAt(now).Compile()(e));
            Assert.Equal(status == EventStatus.Past, Event.EndedUnannounced(now).Compile()(e));
        }

        e.AnnouncePast();
        Assert.False(Event.EndedUnannounced(Start.AddDays(1)).Compile()(e));
    }

    [Fact]
    public void LiveAt_KeepsTheInstantAQueryParameter()
    {
        // A literal would make the database compile a new plan for every instant.
        var body = (BinaryExpression)Event.LiveAt(Start).Body;
        Assert.IsAssignableFrom<MemberExpression>(body.Right);
    }

    [Fact]
    public void Event_MustEndAfterItStarts() => Assert.Throws<DomainException>(() => new Event(1, "E", Start, Start));
}

/// <summary>Rules 4, 6 and 7: balance guard, module-once, subscription quantity, idempotency fingerprint.</summary>
public class TransferRulesTests
{
    private static readonly Product Subscription = new(ProductCodes.Subscription, "Subscription", ProductKind.Subscription);
    private static readonly Product Lead = new(ProductCodes.LeadRetrieval, "Lead Retrieval", ProductKind.Module);

    [Theory]
    [InlineData(10, 10, true)]
    [InlineData(10, 11, false)]
    [InlineData(0, 1, false)]
    public void Pool_CoversAWithdrawal_OnlyWithinItsBalance(long available, long quantity, bool covered) =>
        Assert.Equal(covered, Pool.CanCover(available, quantity));

    [Theory]
    [InlineData(ProductKind.Module, 0, true)]
    [InlineData(ProductKind.Module, 1, false)]
    [InlineData(ProductKind.Subscription, 40, true)]
    public void Allocation_OfAModuleTheEventHolds_IsRefused(ProductKind kind, long allocated, bool accepted)
    {
        Assert.Equal(accepted, EventProduct.Accepts(kind).Compile()(EventProduct.ForEvent(1, "X", 1, allocated)));
        Assert.Equal(accepted, EventProduct.AcceptsAllocation(kind, allocated));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(null)]
    public void Subscription_NeedsAPositiveQuantity(int? quantity)
    {
        var ex = Assert.Throws<DomainException>(() => Subscription.ValidateTransferQuantity(quantity));
        Assert.Equal(ErrorCodes.Validation, ex.Code);
        Assert.Contains("quantity", ex.Errors.Keys);
    }

    [Fact]
    public void Module_MovesOneAtATime_AndRefusesAQuantity()
    {
        Assert.Equal(1, Lead.ValidateTransferQuantity(null));
        Assert.Throws<DomainException>(() => Lead.ValidateTransferQuantity(2));
        Assert.Throws<DomainException>(() => Lead.ValidateTransferQuantity(1));
    }

    [Fact]
    public void Subscription_WithinTheBalance_Passes() => Assert.Null(TransferRules.Refusal(Subscription, 5, 5, 0, "E"));

    [Fact]
    public void Subscription_BeyondTheBalance_IsRefused() =>
        Assert.Contains("Only 4", TransferRules.Refusal(Subscription, 5, 4, 0, "E"), StringComparison.Ordinal);

    [Fact]
    public void Module_TheEventHolds_IsRefusedForThatReason_EvenWithAnEmptyPool() =>
        Assert.Contains("already holds", TransferRules.Refusal(Lead, null, 0, 1, "E"), StringComparison.Ordinal);

    [Fact]
    public void Module_WithAnEmptyPool_IsRefused() => Assert.Contains("No Lead Retrieval left", TransferRules.Refusal(Lead, null, 0, 0, "E"), StringComparison.Ordinal);

    [Theory]
    [InlineData(30, 100, 30)]
    [InlineData(300, 100, 100)]
    [InlineData(0, 100, 1)]
    [InlineData(5, 0, 0)]
    public void DefaultQuantity_IsWhatIsMissing_WithinTheBalance(long missing, long available, long proposed) =>
        Assert.Equal(proposed, TransferRules.DefaultQuantity(Subscription, missing, available));

    [Fact]
    public void ReusedKey_WithAnotherRequest_IsRefused()
    {
        var entry = LedgerEntry.Transfer(1, 2, ProductCodes.Subscription, 5, "a", DateTime.UnixEpoch, 0, "k", 1);
        entry.EnsureSameRequest(LedgerEntry.TransferFingerprint(2, ProductCodes.Subscription, 5));
        var ex = Assert.Throws<DomainException>(() => entry.EnsureSameRequest(LedgerEntry.TransferFingerprint(2, ProductCodes.Subscription, 6)));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, ex.Code);
    }

    [Fact]
    public void PurchaseFingerprint_DependsOnEveryField() =>
        Assert.Equal(4, new[]
        {
            LedgerEntry.PurchaseFingerprint("A", 1, "R"), LedgerEntry.PurchaseFingerprint("B", 1, "R"),
            LedgerEntry.PurchaseFingerprint("A", 2, "R"), LedgerEntry.PurchaseFingerprint("A", 1, "S"),
        }.Distinct().Count());
}

/// <summary>Rules 8 and 12: activation, and who manages what.</summary>
public class AccessTests
{
    [Fact]
    public void Organization_WithoutEntitlements_IsRefused_WithItsCode()
    {
        var ex = Assert.Throws<DomainException>(() => new Organization("I", entitlementsActivated: false).EnsureEntitlementsActivated());
        Assert.Equal(ErrorCodes.EntitlementsNotActivated, ex.Code);
        Assert.False(Organization.EntitlementsWork.Compile()(new Organization("I", false)));
        Assert.True(Organization.EntitlementsWork.Compile()(new Organization("A", true).EnsureEntitlementsActivated()));
    }

    [Fact]
    public void Administrators_AndEntitlementManagers_ManageEntitlements_OnlyAdministratorsManageMembers()
    {
        Membership[] admin = [Membership.Administrator("u", 1)];
        Membership[] manager = [Membership.Manager("u", 1)];
        Membership[] team = [Membership.Team("u", 1, 7)];

        Assert.True(admin.ManagesEntitlements(1));
        Assert.True(manager.ManagesEntitlements(1));
        Assert.False(team.ManagesEntitlements(1));
        Assert.False(admin.ManagesEntitlements(2));
        Assert.True(admin.AdministersOrganization(1));
        Assert.False(manager.AdministersOrganization(1));
    }

    [Fact]
    public void EventTeam_SeesItsOwnEvent_Only()
    {
        Membership[] team = [Membership.Team("u", 1, 7)];
        Assert.True(team.SeesEvent(1, 7));
        Assert.False(team.SeesEvent(1, 8));
        Assert.False(team.SeesEvent(2, 7));
        Assert.True(new[] { Membership.Manager("u", 1) }.SeesEvent(1, 8));
        Assert.Equal([7], team.TeamEvents(1));
    }

    [Fact]
    public void Ops_IsPlatformWide_ButBelongsToNoOrganization()
    {
        Membership[] ops = [Membership.Ops("u")];
        Assert.True(ops.IsOps());
        Assert.False(ops.BelongsTo(1));
    }
}

/// <summary>Rule 11 and the platform's sync: test and cancelled events require nothing; allocations stay.</summary>
public class EventSyncTests
{
    private static readonly DateTime Start = new(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc);

    private static Event Synced(ProductionStatus status, params string[] modules)
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        e.Sync("ref-1", "E", Start, Start.AddHours(8), status, modules);
        e.ApplyCounters(new CounterDelta(3, 0));
        return e;
    }

    [Theory]
    [InlineData(ProductionStatus.Production, true)]
    [InlineData(ProductionStatus.Preproduction, true)]
    [InlineData(ProductionStatus.Test, false)]
    [InlineData(ProductionStatus.Cancelled, false)]
    public void OnlyProductionAndPreproductionEvents_RequireEntitlements(ProductionStatus status, bool requires)
    {
        var e = Synced(status, ProductCodes.LeadRetrieval);

        Assert.Equal(requires, e.IsMissing);
        Assert.Equal(requires ? 3 : 0, e.Products.Single(p => p.ProductCode == ProductCodes.Subscription).Required);
        Assert.Equal(requires ? 1 : 0, e.Products.Single(p => p.ProductCode == ProductCodes.LeadRetrieval).Required);
    }

    [Fact]
    public void DroppingAModule_LowersWhatIsRequired_AndTheSameSyncAgainChangesNothing()
    {
        var e = Synced(ProductionStatus.Production, ProductCodes.LeadRetrieval, ProductCodes.Gamification);

        Assert.True(e.Sync("ref-1", "E", Start, Start.AddHours(8), ProductionStatus.Production, [ProductCodes.Gamification]));
        Assert.False(e.Sync("ref-1", "E", Start, Start.AddHours(8), ProductionStatus.Production, [ProductCodes.Gamification]));
        Assert.Equal(Event.Utc, e.TimeZone);
        Assert.True(e.Sync("ref-1", "E", Start, Start.AddHours(8), ProductionStatus.Production, [ProductCodes.Gamification], "Asia/Singapore"));
        Assert.Equal("Asia/Singapore", e.TimeZone);

        Assert.Equal(0, e.Products.Single(p => p.ProductCode == ProductCodes.LeadRetrieval).Required);
        Assert.Equal([ProductCodes.Gamification], e.Products.Where(p => p.InUse).Select(p => p.ProductCode));
    }

    [Fact]
    public void SwitchingBackToProduction_RequiresAgain_WhatTheEventUses()
    {
        var e = Synced(ProductionStatus.Test, ProductCodes.LeadRetrieval);
        Assert.False(e.IsMissing);

        e.Sync("ref-1", "E", Start, Start.AddHours(8), ProductionStatus.Production, [ProductCodes.LeadRetrieval]);

        Assert.True(e.IsMissing);
        Assert.Equal(1, e.Products.Single(p => p.ProductCode == ProductCodes.LeadRetrieval).Required);
    }
}

/// <summary>Rule 13: a level is crossed at or below it; a warning is for live, short events within the window; a resolved alert frees its key.</summary>
public class AlertRulesTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(ThresholdKind.Available, 50, 300, 50, true)]
    [InlineData(ThresholdKind.Available, 50, 300, 51, false)]
    [InlineData(ThresholdKind.PercentOfPurchased, 10, 305, 30, true)]
    [InlineData(ThresholdKind.PercentOfPurchased, 10, 305, 31, false)]
    [InlineData(ThresholdKind.Available, 0, 10, 0, true)]
    public void APool_IsLow_AtOrBelowItsLevel(ThresholdKind kind, long value, long purchased, long available, bool low) =>
        Assert.Equal(low, new PoolThreshold(1, ProductCodes.Subscription, kind, value).IsLow(purchased, available));

    [Theory]
    [InlineData(ThresholdKind.Available, -1)]
    [InlineData(ThresholdKind.PercentOfPurchased, 0)]
    [InlineData(ThresholdKind.PercentOfPurchased, 101)]
    public void ALevel_OutOfRange_IsRefused(ThresholdKind kind, long value) =>
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<DomainException>(() => new PoolThreshold(1, ProductCodes.Subscription, kind, value)).Code);

    [Theory]
    [InlineData(5, 4, 14, true)]
    [InlineData(5, 0, 14, false)]
    [InlineData(20, 4, 14, false)]
    [InlineData(5, 4, 3, false)]
    [InlineData(-2, 4, 14, false)]
    public void AWarning_IsForALiveShortEvent_WithinTheWindow(int startsInDays, int counted, int window, bool warned)
    {
        var e = new Event(1, "E", Now.AddDays(startsInDays), Now.AddDays(startsInDays).AddHours(8));
        e.ApplyCounters(new CounterDelta(counted, 0));
        Assert.Equal(warned, Alert.EventNeedsWarning(e, Now, window));
    }

    [Fact]
    public void AResolvedAlert_FreesItsKey_ForTheNextCrossing()
    {
        var alert = Alert.PoolLow(new PoolThreshold(1, ProductCodes.Subscription, ThresholdKind.Available, 50), "Subscription", 300, 40, Now);
        Assert.Equal(Alert.PoolKey(0), alert.OpenKey);
        Assert.True(alert.IsOpen);
        alert.Resolve(Now.AddHours(1));
        Assert.Null(alert.OpenKey);
        Assert.Equal(Now.AddHours(1), alert.ResolvedAt);
        alert.Resolve(Now.AddHours(2));
        Assert.Equal(Now.AddHours(1), alert.ResolvedAt);
    }

    [Theory]
    [InlineData("Acme Summit 2026", true)]
    [InlineData("Café – Zürich", true)]
    [InlineData("family \U0001F468\u200D\U0001F469\u200D\U0001F467", true)] // emoji joined by zero-width joiners
    [InlineData("می\u200Cخواهم", true)] // Persian's zero-width non-joiner
    [InlineData("gpj\u202Eexe.txt", false)] // a right-to-left override disguises the name
    [InlineData("a\u2066b", false)] // a directional isolate
    [InlineData("a\u200Bb", false)] // zero-width space
    [InlineData("\uFEFFref", false)] // byte order mark
    [InlineData("tab\there", false)]
    public void PrintableText_RefusesInvisibleAndControlCharacters_ButKeepsTheJoinersScriptsNeed(string text, bool printable)
    {
        Assert.Equal(printable, Text.IsPrintable(text, 200));
        Assert.Equal(printable || text.Contains('\t', StringComparison.Ordinal), Text.IsNote(text, 200));
    }

    [Fact]
    public void HalfASurrogatePair_IsNotText()
    {
        // Built here: test data passed through the runner would arrive with the half already replaced.
        Assert.False(Text.IsPrintable(new string(['a', '\uD800', 'b']), 200));
        Assert.False(Text.IsNote(new string(['a', '\uDC00']), 200));
        Assert.True(Text.IsPrintable("a\U0001F600b", 200));
    }
}
