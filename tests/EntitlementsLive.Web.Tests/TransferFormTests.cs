using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Transfers;

namespace EntitlementsLive.Web.Tests;

/// <summary>The transfer form's screen query: the pools it offers, the product it opens on, its early refusals.</summary>
[Collection(AppCollection.Name)]
public sealed class TransferFormTests(AppFactory app)
{
    [Fact]
    public async Task TheForm_OpensOnWhatTheEventMisses_OffersPoolsWithSomethingLeft_AndRefusesEarly()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 4, modules: ProductCodes.LeadRetrieval);
        var form = await app.With<TransferFormQuery, TransferForm>(q => q.For(orgId, eventId, null, CancellationToken.None));

        // Both pools have something left; the event misses both, so the form opens on the first it misses.
        Assert.Equal([ProductCodes.LeadRetrieval, ProductCodes.Subscription], form.Pools.Select(p => p.ProductCode).Order(StringComparer.Ordinal));
        Assert.Contains(form.Preselect(null), new[] { ProductCodes.LeadRetrieval, ProductCodes.Subscription });
        Assert.Equal(ProductCodes.Subscription, form.Preselect(ProductCodes.Subscription));
        var subscriptions = form.PoolOf(ProductCodes.Subscription)!;
        Assert.Equal(4, form.MissingOf(ProductCodes.Subscription));
        Assert.Equal(4, form.DefaultQuantity(subscriptions));
        Assert.False(form.EventHolds(form.PoolOf(ProductCodes.LeadRetrieval)!));
        Assert.Equal((ProductCodes.Subscription, 4), form.Opening(ProductCodes.Subscription, 9));
        Assert.Equal((ProductCodes.LeadRetrieval, 9), form.Opening(ProductCodes.LeadRetrieval, 9));

        // Early refusals, in the words the page shows.
        Assert.Equal("Choose one of your purchased products.", form.Refusal("NOPE", 1, Guid.NewGuid().ToString("N")));
        Assert.Equal("This form is out of date: open the transfer again from the event.", form.Refusal(ProductCodes.Subscription, 1, ""));
        Assert.Contains("Only 10", form.Refusal(ProductCodes.Subscription, 11, Guid.NewGuid().ToString("N")), StringComparison.Ordinal);
        Assert.Null(form.Refusal(ProductCodes.Subscription, 4, Guid.NewGuid().ToString("N")));

        // A pool spent to nothing is no longer offered, unless it is the one asked for; a held module is marked.
        var recorded = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 10);
        Assert.Equal($"10 Subscriptions transferred to {form.Event.Name}.", form.Transferred(recorded.Transaction));
        await app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        var after = await app.With<TransferFormQuery, TransferForm>(q => q.For(orgId, eventId, null, CancellationToken.None));
        Assert.DoesNotContain(after.Pools, p => p.ProductCode == ProductCodes.Subscription);
        Assert.True(after.EventHolds(after.PoolOf(ProductCodes.LeadRetrieval)!));
        var asked = await app.With<TransferFormQuery, TransferForm>(q => q.For(orgId, eventId, ProductCodes.Subscription, CancellationToken.None));
        Assert.Equal(0, asked.PoolOf(ProductCodes.Subscription)!.Available);
    }
}
