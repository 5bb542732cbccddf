using EntitlementsLive.Web.Data.PostgreSql;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// On PostgreSQL, exactly one node drains at a time: the one holding the outbox lease, a session advisory lock that
/// PostgreSQL frees the moment its holder's connection dies (the others try again every <see cref="Retry"/>). The
/// holder LISTENs on that same connection, so the commits of other nodes wake its drainer, and the connection's loss ends the lead.
/// </summary>
public sealed partial class OutboxLease(PostgreSqlDatabase postgres, OutboxDrainer drainer, ILogger<OutboxLease> log)
{
    /// <summary>How often a node without the lease tries to take it (the takeover time after its holder dies).</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    /// <summary>How often the holder checks its lease's connection when no notification comes.</summary>
    public static readonly TimeSpan Check = TimeSpan.FromSeconds(3);

    private volatile bool _leading;

    public bool Leading => _leading;

    /// <summary>Takes the lease whenever it is free and drains while it holds, until the app stops.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // A node without the lease keeps one connection and asks for the lease on it; the one that gets it leads on it.
        Npgsql.NpgsqlConnection? candidate = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var leading = false;
                try
                {
                    candidate ??= await postgres.OpenLeaseConnectionAsync(stoppingToken);
                    leading = await PostgreSqlDatabase.TryLockAsync(candidate, PostgreSqlDatabase.OutboxLeaseKey, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogLeaseFailed(log, ex);
                    if (candidate is not null)
                    {
                        await candidate.DisposeAsync();
                        candidate = null;
                    }
                }

                if (!leading)
                {
                    await Task.Delay(Retry, stoppingToken);
                    continue;
                }

                var lease = candidate!;
                candidate = null;
                try
                {
                    await Lead(lease, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The lead ended on a failure (the database unreachable, say); the lease went with its connection.
                    LogLeaseFailed(log, ex);
                    await Task.Delay(Retry, stoppingToken);
                }
            }
        }
        finally
        {
            if (candidate is not null)
            {
                await candidate.DisposeAsync();
            }
        }
    }

    private async Task Lead(Npgsql.NpgsqlConnection lease, CancellationToken stoppingToken)
    {
        await using var _ = lease;
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lease.Notification += (_, e) => drainer.Pending(PostgreSqlDatabase.ParseNotification(e.Payload));
        Task watch;
        try
        {
            await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {PostgreSqlDatabase.OutboxChannel}", lease))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken);
            }

            watch = Watch(lease, lost);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogLeaseFailed(log, ex);
            return;
        }

        _leading = true;
        Telemetry.LeaseTaken.Add(1, Telemetry.NodeTag);
        LogLeading(log);
        try
        {
            await drainer.RunAsync(lost.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease's connection died: another node may hold the lease now.
        }
        finally
        {
            _leading = false;
            await lost.CancelAsync();
            await watch;
            if (stoppingToken.IsCancellationRequested)
            {
                // A graceful stop: the positions are saved while the lease is still held, so the next holder starts there.
                await drainer.SaveOnStopAsync();
            }

            drainer.Forget();
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            LogLeaseLost(log);
        }
    }

    /// <summary>
    /// Waits for notifications on the lease's connection and checks it every few seconds when none come (a connection
    /// dropped without a word, by a firewall say, is found within that time); when the connection fails, the lead ends.
    /// </summary>
    private async Task Watch(Npgsql.NpgsqlConnection lease, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                if (!await lease.WaitAsync(Check, lost.Token))
                {
                    await using var ping = new Npgsql.NpgsqlCommand("SELECT 1", lease) { CommandTimeout = (int)Check.TotalSeconds };
                    await ping.ExecuteScalarAsync(lost.Token);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeaseFailed(log, ex);
            await lost.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // The lead ended here or the app stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This node holds the outbox lease: it pushes every commit")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node lost the outbox lease; it tries to take it again")]
    internal static partial void LogLeaseLost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox lease or its notifications failed; retrying")]
    internal static partial void LogLeaseFailed(ILogger logger, Exception ex);
}
