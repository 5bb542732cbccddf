using System.Threading.Channels;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>The hub speaks MessagePack too (for clients that are not browsers): the same messages, the keys as the C# names.</summary>
[Collection(AppCollection.Name)]
public sealed class MessagePackTests(AppFactory app)
{
    [Fact]
    public async Task AMessagePackClient_GetsTheSameMessages_AndResumes()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10, participants: 3);
        var email = await app.NewUser(u => Membership.Administrator(u, orgId));
        await using var connection = await Connect(email);
        var transactions = Channel.CreateUnbounded<Seen>();
        var pools = Channel.CreateUnbounded<Pool>();
        connection.On<Seen>("TransactionRecorded", m => transactions.Writer.TryWrite(m));
        connection.On<Pool>("PoolBalanceChanged", m => pools.Writer.TryWrite(m));
        await connection.StartAsync();

        var result = await app.Transfer(orgId, eventId, ProductCodes.Subscription, 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var transaction = await transactions.Reader.ReadAsync(timeout.Token);
        Assert.Equal((orgId, result.Transaction.Sequence, result.Transaction.Id), (transaction.OrgId, transaction.Sequence, transaction.Transaction.Id));
        Assert.True(transaction.At > DateTime.UtcNow.AddMinutes(-5));
        var pool = await pools.Reader.ReadAsync(timeout.Token);
        Assert.Equal((ProductCodes.Subscription, 10L, 4L, 6L, transaction.Sequence), (pool.ProductCode, pool.Purchased, pool.Transferred, pool.Available, pool.Previous));

        // Resume answers in MessagePack as well, and replays what came after a sequence.
        var resumed = await connection.InvokeAsync<Resumed>("Resume", orgId, transaction.Sequence - 1);
        Assert.False(resumed.ReloadRequired);
        Assert.True(resumed.Replayed >= 2);
        var replayed = await transactions.Reader.ReadAsync(timeout.Token);
        Assert.Equal(transaction.Sequence, replayed.Sequence);
    }

    private async Task<HubConnection> Connect(string email) => (await LiveClient.Builder(app, email)).AddMessagePackProtocol().Build();

    // A client's own types, only the fields it reads: MessagePack maps keys to them by name.
    public sealed class Seen
    {
        public int OrgId { get; set; }

        public long Sequence { get; set; }

        public DateTime At { get; set; }

        public TransactionDto Transaction { get; set; } = null!;
    }

    public sealed class Pool
    {
        public string ProductCode { get; set; } = "";

        public long Purchased { get; set; }

        public long Transferred { get; set; }

        public long Available { get; set; }

        public long? Previous { get; set; }
    }

    public sealed class Resumed
    {
        public int Replayed { get; set; }

        public bool ReloadRequired { get; set; }
    }
}
