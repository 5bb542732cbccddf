using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EntitlementsLive.Web.Data.PostgreSql;

/// <summary>
/// The context on PostgreSQL: the same model, with this provider's own migrations (EF Core's "one context type per
/// provider" layout) and two conventions SQLite did not need.
/// </summary>
public sealed partial class PostgreSqlDbContext(DbContextOptions<PostgreSqlDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // CHECK constraints are written once, with bare column names; PostgreSQL folds bare names to lower case, so its
        // copy quotes every name that is a column of the table.
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            var columns = entity.GetProperties().Select(p => p.GetColumnName()).ToHashSet(StringComparer.Ordinal);
            foreach (var check in entity.GetCheckConstraints().ToList())
            {
                var sql = Identifier().Replace(check.Sql, m => columns.Contains(m.Value) ? $"\"{m.Value}\"" : m.Value);
                entity.RemoveCheckConstraint(check.ModelName);
                entity.AddCheckConstraint(check.ModelName, sql);
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // Byte order, as SQLite compares: keyset cursors, prefix searches and every ORDER BY on text mean the same on both.
        configurationBuilder.Properties<string>().UseCollation("C");
    }

    [GeneratedRegex(@"(?<![""\w])[A-Za-z_][A-Za-z0-9_]*(?![""\w])")]
    private static partial Regex Identifier();
}

/// <summary>For dotnet-ef: PostgreSQL migrations are created without a server.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlDbContext>
{
    public PostgreSqlDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlDbContext>().UseNpgsql("Host=127.0.0.1;Database=entitlements").Options);
}
