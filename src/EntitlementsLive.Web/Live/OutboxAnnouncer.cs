using System.Collections.Concurrent;
using System.Threading.Channels;
using EntitlementsLive.Web.Data.PostgreSql;

namespace EntitlementsLive.Web.Live;

/// <summary>On PostgreSQL, wakes the lease holder's drainer for the commits of a node that does not hold the lease, many organizations per NOTIFY.</summary>
public sealed class OutboxAnnouncer(PostgreSqlDatabase database, ILogger<OutboxLease> log)
{
    private readonly ConcurrentDictionary<int, byte> _announce = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Announce(int organizationId)
    {
        _announce[organizationId] = 0;
        _signal.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.Reader.ReadAsync(stoppingToken);
                var ids = _announce.Keys.ToList();
                foreach (var id in ids)
                {
                    _announce.TryRemove(id, out _);
                }

                // NOTIFY payloads stay under 8000 bytes: 500 ids of up to 11 characters each.
                foreach (var chunk in ids.Chunk(500))
                {
                    await database.NotifyAsync(chunk, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The holder still finds these at its next sweep.
                OutboxLease.LogLeaseFailed(log, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
        }
    }
}
