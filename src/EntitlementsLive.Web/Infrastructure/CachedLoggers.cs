using System.Collections.Concurrent;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Serilog's logger factory makes a new logger, with its own event-id cache (about 2 KiB), on every CreateLogger; the
/// framework's own factory keeps one per category. SignalR and Kestrel ask for several per connection, so without this
/// every open screen held four loggers of its own. One logger per category, shared, as Microsoft's factory does.
/// </summary>
public sealed class CachedLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, inner.CreateLogger);

    public void AddProvider(ILoggerProvider provider)
    {
        _loggers.Clear();
        inner.AddProvider(provider);
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Wraps the logger factory registered last (Serilog's) so its loggers are kept per category.</summary>
    public static IServiceCollection KeepLoggersPerCategory(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp => new CachedLoggerFactory((ILoggerFactory)(
            registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
        return services;
    }
}
