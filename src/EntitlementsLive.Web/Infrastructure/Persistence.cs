using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Data.PostgreSql;
using EntitlementsLive.Web.Data.Sqlite;
using EntitlementsLive.Web.Demo;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Infrastructure;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public const string Sqlite = "Sqlite";

    public const string PostgreSql = "PostgreSql";

    /// <summary>Sqlite (embedded, one node) or PostgreSql (ConnectionStrings:Entitlements; several nodes).</summary>
    [AllowedValues(Sqlite, PostgreSql)]
    public string Provider { get; set; } = Sqlite;

    /// <summary>The SQLite file; a relative path is taken from the application root.</summary>
    [Required]
    public string Path { get; set; } = "data/entitlements.db";

    /// <summary>How long a writer waits for another writer before giving up.</summary>
    [Range(100, 600_000)]
    public int BusyTimeoutMs { get; set; } = 10_000;

    /// <summary>Seed the demo data of API.md into an empty database at start-up.</summary>
    public bool SeedDemoData { get; set; } = true;
}

public static class PersistenceExtensions
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration, string appRoot)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton<QueryTiming>();
        if (options.Provider == DatabaseOptions.PostgreSql)
        {
            var postgres = PostgreSqlConnection(configuration);
            services.AddSingleton(new PostgreSqlDatabase(postgres));
            services.AddDbContextPool<AppDbContext, PostgreSqlDbContext>((sp, db) => Refusals(db.UseNpgsql(postgres)).AddInterceptors(sp.GetRequiredService<QueryTiming>()));
            services.AddSingleton<IParticipantBulkWrites, PostgreSqlParticipantBulkWrites>();
        }
        else
        {
            var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(appRoot, options.Path));
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                DefaultTimeout = Math.Max(1, options.BusyTimeoutMs / 1000),
                Pooling = true,
            }.ToString();

            services.AddSingleton(new SqlitePragmas(options.BusyTimeoutMs));
            // Pooled: building a context costs more than most of the queries it runs.
            services.AddDbContextPool<AppDbContext>((sp, db) => Refusals(db
                .UseSqlite(connectionString)
                .AddInterceptors(sp.GetRequiredService<SqlitePragmas>(), sp.GetRequiredService<QueryTiming>())));
            services.AddSingleton<IParticipantBulkWrites, SqliteParticipantBulkWrites>();
            services.AddSingleton<SqliteGroupCommit>();
        }

        services.AddScoped<OrganizationWrite>();

        services.AddScoped<DemoSeeder>();
        return services;
    }

    /// <summary>
    /// The PostgreSQL connection string (ConnectionStrings:Entitlements), with what every session here assumes: UTC
    /// and a name in pg_stat_activity.
    /// </summary>
    public static string PostgreSqlConnection(IConfiguration configuration)
    {
        var text = configuration.GetConnectionString("Entitlements");
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                ["ConnectionStrings:Entitlements is required when Database:Provider is PostgreSql."]);
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(text) { Timezone = "UTC" };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "entitlementslive";
        }

        return builder.ToString();
    }

    // A refused statement is expected (a key raced by the unique index, a guard, finality): the request's own
    // outcome is logged at its level, and a real failure still surfaces as a 500 with its exception.
    private static DbContextOptionsBuilder Refusals(DbContextOptionsBuilder db) => db.ConfigureWarnings(w => w.Log(
        (RelationalEventId.CommandError, LogLevel.Debug),
        (CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    /// <summary>
    /// Creates the database folder, applies pending migrations, turns on WAL, seeds demo data once, refreshes the
    /// planner's statistics, computes the forecasts and says whose pages to render first.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        else if (scope.ServiceProvider.GetService<PostgreSqlDatabase>() is { } server)
        {
            await server.EnsureDatabaseAsync(CancellationToken.None);
        }

        // Several nodes may start at once: EF Core takes a migration lock (an advisory lock on PostgreSQL), and the
        // demo seed runs under a lock of its own there.
        await db.Database.MigrateAsync();

        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        if (options.SeedDemoData)
        {
            // One node seeds at a time (on SQLite there is one node).
            await using var seeding = scope.ServiceProvider.GetService<PostgreSqlDatabase>() is { } postgres
                ? await postgres.LockAsync(PostgreSqlDatabase.StartupKey, CancellationToken.None)
                : null;
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(CancellationToken.None);
        }

        // After the seed, so the statistics describe the rows the first views read.
        await scope.ServiceProvider.GetRequiredService<Features.Shared.RefreshPlannerStatistics>().Handle(atStartUp: true, CancellationToken.None);

        // The forecasts and the Events tab's queries are ready before the node takes requests, and the first tabs are
        // rendered once it listens, before it says it is ready (PageWarmUp).
        app.Services.GetRequiredService<PageWarmUp>().For(
            await scope.ServiceProvider.GetRequiredService<Features.Organizations.WarmUp>().Handle(CancellationToken.None));

        // Without demo data, the first Ops user is invited by a link printed once (Bootstrap:OpsEmail).
        var urls = app.Configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        await scope.ServiceProvider.GetRequiredService<Features.Members.Bootstrap>()
            .RunAsync(app.Configuration["Bootstrap:OpsEmail"], urls ?? "http://127.0.0.1:5080", CancellationToken.None);
    }
}
