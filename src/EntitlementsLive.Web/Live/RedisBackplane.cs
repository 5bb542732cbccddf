using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// Live:Redis (a Redis connection string) turns the SignalR Redis backplane on: a push sent by any node reaches the
/// connections of every node, groups included. Without it, a node reaches only its own connections (one node).
/// </summary>
public static class RedisBackplane
{
    public const string Setting = "Live:Redis";

    public static ISignalRServerBuilder AddRedisBackplane(this ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(signalR);
        if (configuration[Setting] is not { Length: > 0 } redis)
        {
            return signalR;
        }

        signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("EntitlementsLive"));
        signalR.Services.AddSingleton(new RedisHealthCheck(redis));
        signalR.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return signalR;
    }

    /// <summary>/health/ready says whether the backplane's Redis answers.</summary>
    public sealed class RedisHealthCheck(string configuration) : IHealthCheck, IDisposable
    {
        private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() =>
        {
            var options = ConfigurationOptions.Parse(configuration);
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.ConnectAsync(options);
        });

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await (await _connection.Value).GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis (the live backplane) does not answer.", ex);
            }
        }

        public void Dispose()
        {
            if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
            {
                _connection.Value.Result.Dispose();
            }
        }
    }
}
