using EntitlementsLive.Web.Data;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// The one notifier: a commit signals it (<see cref="Committed"/>), and the node that leads drains (<see cref="OutboxDrainer"/>).
/// On SQLite's single node that is always this one; on PostgreSQL it is the holder of the <see cref="OutboxLease"/>,
/// and the other nodes wake it (<see cref="OutboxAnnouncer"/>). The holder publishes through the hub, which the
/// Redis backplane fans out to every node.
/// </summary>
public sealed class OutboxNotifier(OutboxDrainer drainer, OutboxLease? lease = null, OutboxAnnouncer? announcer = null) : BackgroundService, IChangeNotifier
{
    private volatile bool _started;

    /// <summary>How far each organization's outbox was pushed (for the outbox-lag metric).</summary>
    public IReadOnlyDictionary<int, long> Pushed => drainer.Pushed;

    /// <summary>Whether this node drains the outbox now (always on SQLite's single node, once started).</summary>
    public bool Leading => lease?.Leading ?? _started;

    public void Committed(int organizationId)
    {
        drainer.Pending([organizationId]);
        if (lease is { Leading: false })
        {
            // Another node drains: wake it.
            announcer?.Announce(organizationId);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _started = true;
        return lease is null || announcer is null
            ? drainer.RunAsync(stoppingToken)
            : Task.WhenAll(lease.RunAsync(stoppingToken), announcer.RunAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (lease is null)
        {
            await drainer.SaveOnStopAsync();
        }
    }
}
