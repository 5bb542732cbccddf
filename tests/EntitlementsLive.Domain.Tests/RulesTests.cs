using EntitlementsLive.Domain;

namespace EntitlementsLive.Domain.Tests;

public class CountingTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    public void Participant_Counts_UnlessCancelledAndNeverActivated(bool cancelled, bool activated, bool counted) =>
        Assert.Equal(counted, Participant.IsCounted(cancelled, activated));

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
    public void UnknownParticipant_DoesNotCount_UntilAdded()
    {
        var p = new Participant(1, "P1");
        Assert.False(p.Counted);
    }
}

public class PoolAndProductTests
{
    [Fact]
    public void Withdraw_IsRefused_WhenPoolIsShort_AndLeavesItUnchanged()
    {
        var pool = new Pool(1, ProductCodes.Subscription);
        pool.Credit(10);

        var ex = Assert.Throws<DomainException>(() => pool.Withdraw(11));

        Assert.Equal(ErrorCodes.InsufficientBalance, ex.Code);
        Assert.Equal(10, pool.Available);
        Assert.Equal(0, pool.Transferred);
    }

    [Fact]
    public void Withdraw_MovesAvailableToTransferred()
    {
        var pool = new Pool(1, ProductCodes.Subscription);
        pool.Credit(10);
        pool.Withdraw(10);
        Assert.Equal((10L, 10L, 0L), (pool.Purchased, pool.Transferred, pool.Available));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(null)]
    public void Subscription_NeedsAPositiveQuantity(int? quantity)
    {
        var product = new Product(ProductCodes.Subscription, "Subscription", ProductKind.Subscription);
        var ex = Assert.Throws<DomainException>(() => product.ValidateTransferQuantity(quantity));
        Assert.Equal(ErrorCodes.Validation, ex.Code);
        Assert.Contains("quantity", ex.Errors.Keys);
    }

    [Fact]
    public void Module_MovesOneAtATime_AndRefusesAQuantity()
    {
        var module = new Product(ProductCodes.LeadRetrieval, "Lead Retrieval", ProductKind.Module);
        Assert.Equal(1, module.ValidateTransferQuantity(null));
        Assert.Throws<DomainException>(() => module.ValidateTransferQuantity(2));
        Assert.Throws<DomainException>(() => module.ValidateTransferQuantity(1));
    }

    [Fact]
    public void ReusedKey_WithAnotherRequest_IsRefused()
    {
        var entry = LedgerEntry.Transfer(1, 2, ProductCodes.Subscription, 5, "a", DateTime.UnixEpoch, 0, "k", 1);
        entry.EnsureSameRequest(LedgerEntry.TransferFingerprint(2, ProductCodes.Subscription, 5));
        var ex = Assert.Throws<DomainException>(() => entry.EnsureSameRequest(LedgerEntry.TransferFingerprint(2, ProductCodes.Subscription, 6)));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, ex.Code);
    }
}

public class CoverageTests
{
    private static readonly DateTime Start = new(2026, 6, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly Product Lead = new(ProductCodes.LeadRetrieval, "Lead Retrieval", ProductKind.Module);
    private static readonly Product Subscription = new(ProductCodes.Subscription, "Subscription", ProductKind.Subscription);

    [Fact]
    public void Missing_IsRequiredMinusAllocated_NeverBelowZero()
    {
        Assert.Equal(3, Coverage.Missing(10, 7));
        Assert.Equal(0, Coverage.Missing(10, 12));
    }

    [Fact]
    public void Event_IsMissing_UntilEveryProductIsCovered()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        e.UseModule(ProductCodes.LeadRetrieval);
        e.ApplyCounters(5, 0);
        Assert.True(e.IsMissing);

        e.Allocate(Subscription, 5);
        Assert.True(e.IsMissing);
        e.Allocate(Lead, 1);
        Assert.False(e.IsMissing);
    }

    [Fact]
    public void Module_CannotBeAllocatedTwice()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        e.Allocate(Lead, 1);
        var ex = Assert.Throws<DomainException>(() => e.Allocate(Lead, 1));
        Assert.Equal(ErrorCodes.ModuleAlreadyAllocated, ex.Code);
    }

    [Fact]
    public void Event_IsLiveUntilItEnds_ThenPast()
    {
        var e = new Event(1, "E", Start, Start.AddHours(8));
        Assert.Equal(EventStatus.Live, e.StatusAt(Start.AddHours(7)));
        Assert.Equal(EventStatus.Past, e.StatusAt(Start.AddHours(8)));
    }

    [Fact]
    public void Event_MustEndAfterItStarts()
    {
        Assert.Throws<DomainException>(() => new Event(1, "E", Start, Start));
    }
}

public class TransferRulesTests
{
    private static readonly Product Subscription = new(ProductCodes.Subscription, "Subscription", ProductKind.Subscription);
    private static readonly Product Lead = new(ProductCodes.LeadRetrieval, "Lead Retrieval", ProductKind.Module);

    [Fact]
    public void Subscription_WithinTheBalance_Passes() => Assert.Null(TransferRules.Refusal(Subscription, 5, 5, false, "E"));

    [Fact]
    public void Subscription_BeyondTheBalance_IsRefused() =>
        Assert.Contains("Only 4", TransferRules.Refusal(Subscription, 5, 4, false, "E"), StringComparison.Ordinal);

    [Fact]
    public void Module_TheEventHolds_IsRefused() =>
        Assert.Contains("already holds", TransferRules.Refusal(Lead, null, 3, true, "E"), StringComparison.Ordinal);

    [Fact]
    public void Module_WithAnEmptyPool_IsRefused() =>
        Assert.NotNull(TransferRules.Refusal(Lead, null, 0, false, "E"));
}
