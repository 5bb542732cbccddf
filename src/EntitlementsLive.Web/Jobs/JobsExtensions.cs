using System.ComponentModel.DataAnnotations;
using EntitlementsLive.Web.Features.Participants;
using EntitlementsLive.Web.Features.Access;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;

namespace EntitlementsLive.Web.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Where Hangfire keeps its jobs: InMemory (one node; our batch table is the source of truth, so a
    /// restart loses nothing) or PostgreSql (scale-out: jobs run on any node). Unset, it follows Database:Provider:
    /// on PostgreSQL the nodes share their jobs, so each recurring schedule fires once for the cluster.
    /// </summary>
    [AllowedValues("InMemory", "PostgreSql")]
    public string Storage { get; set; } = "InMemory";

    /// <summary>Storage as configured, or as Database:Provider implies when it is not.</summary>
    public static string StorageOf(IConfiguration configuration) =>
        configuration[Section + ":Storage"] is { Length: > 0 } storage ? storage
        : configuration["Database:Provider"] == "PostgreSql" ? "PostgreSql" : "InMemory";

    /// <summary>The PostgreSQL connection string when <see cref="Storage"/> is PostgreSql (ConnectionStrings:Entitlements when unset).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Run a job server in this process (off for a web-only node).</summary>
    public bool Server { get; set; } = true;

    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    [Range(1, 24 * 30)]
    public int OutboxRetentionHours { get; set; } = 72;

    /// <summary>Register the recurring jobs (requeue, reconcile, live-to-past, prune).</summary>
    public bool Recurring { get; set; } = true;
}

public static class JobsExtensions
{
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).PostConfigure(o => o.Storage = JobsOptions.StorageOf(configuration))
            .ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        options.Storage = JobsOptions.StorageOf(configuration);
        services.AddHangfire(config =>
        {
            config
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (options.Storage == "PostgreSql")
            {
                var connectionString = options.ConnectionString ?? configuration.GetConnectionString("Entitlements")
                    ?? throw new InvalidOperationException("Jobs:ConnectionString (or ConnectionStrings:Entitlements) is required when Jobs:Storage is PostgreSql.");
                // Its own schema beside the app's tables; a job enqueued on any node is picked up at once (LISTEN/NOTIFY)
                // by whichever node's workers are free, and each recurring schedule fires once across the cluster (the
                // scheduler holds a lock in the storage).
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    EnableLongPolling = true,
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                });
            }
            else
            {
                config.UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromHours(6) });
            }
        });
        if (options.Server)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = options.Workers;
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                o.ServerName = "entitlementslive-" + (configuration["Node:Name"] is { Length: > 0 } node ? node : Environment.MachineName);
            });
        }

        services.AddScoped<ParticipantBatchJob>();
        services.AddScoped<MaintenanceJobs>();
        services.AddSingleton<IBatchScheduler, HangfireBatchScheduler>();
        services.AddScoped<WebhookDeliveryJob>();
        services.AddSingleton<Features.Webhooks.IWebhookScheduler, HangfireWebhookScheduler>();
        return services;
    }

    /// <summary>The dashboard (Ops only) and the recurring jobs under stable ids; orphaned batches are requeued at start-up.</summary>
    public static WebApplication MapJobs(this WebApplication app)
    {
        // Ops only, by the same policy as the Ops pages.
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Ops, "/hangfire", new DashboardOptions
        {
            DashboardTitle = "EntitlementsLive jobs",
            AppPath = "/",
            DisplayStorageConnectionString = false,
        });

        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value;
        if (options.Recurring)
        {
            var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.RequeueId, j => j.RequeueOrphans(), Cron.Minutely());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.ReconcileId, j => j.ReconcileCounters(), "*/15 * * * *");
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.PastId, j => j.AnnouncePastEvents(), Cron.Minutely());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.UncoveredId, j => j.SweepUncoveredSoon(), Cron.Minutely());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.ProjectedId, j => j.SweepProjectedShortfalls(), Cron.Minutely());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.WebhooksId, j => j.RequeueWebhooks(), Cron.Minutely());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.PruneId, j => j.PruneOutbox(), Cron.Hourly());
            recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.StatisticsId, j => j.RefreshPlannerStatistics(), "17 * * * *");
        }

        app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<MaintenanceJobs>(j => j.RequeueOrphans());
        return app;
    }
}
