using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Data.PostgreSql;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Infrastructure;

namespace EntitlementsLive.Web.Live;

public static class LiveExtensions
{
    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = 32 * 1024;
            o.StatefulReconnectBufferSize = 1_000_000;
            o.EnableDetailedErrors = false;
        }).AddJsonProtocol(o => JsonContract.Configure(o.PayloadSerializerOptions))
          // For clients that are not browsers (scripts/watch --messagepack): the same messages, keys as the C# names, smaller and cheaper to write.
          .AddMessagePackProtocol()
          .AddRedisBackplane(configuration);
        services.AddSingleton<ResumeService>();
        services.AddSingleton<LiveHeartbeat>();
        services.AddKeyedSingleton(LiveTiming.Clock, TimeProvider.System);
        services.AddSingleton<OutboxCursors>();
        services.AddSingleton<OutboxFanOut>();
        services.AddSingleton<OutboxDrainer>();
        if (services.Any(d => d.ServiceType == typeof(PostgreSqlDatabase)))
        {
            // Several nodes share the database (AddPersistence registered it): one of them leads at a time.
            services.AddSingleton<OutboxLease>();
            services.AddSingleton<OutboxAnnouncer>();
        }

        services.AddSingleton<OutboxNotifier>();
        services.AddSingleton<IChangeNotifier>(sp => sp.GetRequiredService<OutboxNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<OutboxNotifier>());
        return services;
    }

    /// <summary>Checks the Origin of every hub request before it reaches SignalR.</summary>
    public static IApplicationBuilder UseLiveOriginCheck(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments(SecurityExtensions.HubPath), hub => hub.UseMiddleware<OriginCheck>());

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHub<EntitlementsHub>(SecurityExtensions.HubPath, o =>
        {
            o.AllowStatefulReconnects = true;
            o.CloseOnAuthenticationExpiration = true;
        });
        return app;
    }
}
