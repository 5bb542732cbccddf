using EntitlementsLive.Web.Features;
using EntitlementsLive.Web.Infrastructure;
using EntitlementsLive.Web.Jobs;
using EntitlementsLive.Web.Live;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);

    // The app root holds the top-level appsettings.json and wwwroot/ (DESIGN.md): the repository when run
    // from source, the output folder when published.
    var appRoot = AppRoot.Locate(builder.Environment.ContentRootPath);
    AppRoot.Apply(builder, appRoot);

    // Every line names its node, so the logs of several nodes read as one story (Node:Name, the machine's name by default).
    var node = builder.Configuration["Node:Name"] is { Length: > 0 } named ? named : Environment.MachineName;
    builder.Services.AddSerilog((services, log) => log
        .ReadFrom.Configuration(builder.Configuration)
        .ReadFrom.Services(services)
        .Enrich.FromLogContext()
        .Enrich.WithProperty("Node", node)
        .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Node} {Message:lj}{NewLine}{Exception}", formatProvider: System.Globalization.CultureInfo.InvariantCulture),
        // This host's own logger, not the process-wide static one: several hosts in one process (the tests' nodes) each
        // keep their sinks, and disposing one does not silence the others.
        preserveStaticLogger: true);
    CachedLoggerFactory.KeepLoggersPerCategory(builder.Services);
    builder.Services.AddMetrics(builder.Configuration, node);

    builder.Services.AddPersistence(builder.Configuration, appRoot);
    builder.Services.AddSecurity();
    builder.Services.AddFeatures();
    builder.Services.AddLive(builder.Configuration);
    builder.Services.AddJobs(builder.Configuration);
    builder.Services.AddWeb();
    builder.Services.AddProxyHeaders(builder.Configuration);

    var app = builder.Build();

    await app.PrepareDatabaseAsync();

    // First: everything after it (limits, audit, cookies, /metrics) sees the client behind a trusted proxy.
    app.UseForwardedHeaders();
    app.UseServerTiming();
    app.UseSecurityHeaders();
    // Outermost, so each request is logged once, at the level of the status it really returned.
    app.UseSerilogRequestLogging(o => o.GetLevel = Problems.LogLevelOf);
    app.UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandlingPath = "/Error",
        StatusCodeSelector = Problems.StatusOf,
        // A refusal (a rule, a validation) is an answer, not a failure: no error log for it.
        SuppressDiagnosticsCallback = context => Problems.IsRefusal(context.Exception),
    });
    // Errors without a body: problem+json for the API and the hub, a proper page for people.
    app.UseWhen(WebExtensions.IsApi, api => api.UseStatusCodePages());
    app.UseWhen(http => !WebExtensions.IsApi(http), pages => pages.UseStatusCodePagesWithReExecute("/Error/{0}"));
    app.UseStaticFiles();
    app.UseLiveOriginCheck();
    app.UseRouting();
    app.UseRateLimiter();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseAntiforgery();

    app.MapApi();
    app.MapMetrics();
    app.MapLive();
    app.MapJobs();
    app.MapWeb();

    await app.RunAsync();
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "EntitlementsLive stopped unexpectedly");
    throw;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
