using System.Text;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Data.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace EntitlementsLive.Web.Tests;

/// <summary>Upgrades keep what a database already holds (on the provider the suite runs on).</summary>
public class MigrationTests
{
    [Fact]
    public async Task BatchesStoredBeforeTheUpgrade_KeepTheirChanges_ByteForByte_AndAnOpenOneItsExactCount()
    {
        var database = TestDatabase.New();
        try
        {
            await using var db = Context(database);
            var migrator = db.GetService<IMigrator>();
            var before = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_BatchChangesApart", StringComparison.Ordinal)).Last();
            await migrator.MigrateAsync(before);
            await db.Database.OpenConnectionAsync();

            // A batch as the previous version stored it: its changes in its own row, as JSON text (here with a non-ASCII
            // reference). Its organization and event are left out, so the foreign keys are off on this connection.
            const string changes = """[{"changeId":"c-1","participantRef":"Zoë-1","type":"added","occurredAt":"2027-04-01T10:00:00Z"}]""";
            await db.Database.ExecuteSqlRawAsync(TestDatabase.IsPostgreSql ? "SET session_replication_role = replica" : "PRAGMA foreign_keys = OFF");
            var q = TestDatabase.IsPostgreSql ? (Func<string, string>)(n => $"\"{n}\"") : n => n;
            var insert = $"""
                INSERT INTO {q("ParticipantBatches")} ({q("Id")}, {q("OrganizationId")}, {q("EventId")}, {q("Status")}, {q("Received")}, {q("Applied")},
                    {q("Duplicates")}, {q("Changes")}, {q("Source")}, {q("Attempts")}, {q("CreatedAt")}, {q("UpdatedAt")})
                VALUES ('old-batch', 1, 1, 'processing', 3, 1, 0, {"{0}"}, 'test', 1, {"{1}"}, {"{1}"})
                """;
            await db.Database.ExecuteSqlRawAsync(insert, changes, DateTime.UtcNow);

            // It was being applied: two of its changes are in, its figure (set after each chunk then) says one.
            var applied = $"""
                INSERT INTO {q("AppliedChanges")} ({q("OrganizationId")}, {q("ChangeId")}, {q("EventId")}, {q("BatchId")})
                VALUES (1, 'c-1', 1, 'old-batch'), (1, 'c-2', 1, 'old-batch'), (1, 'c-3', 1, NULL)
                """;
            await db.Database.ExecuteSqlRawAsync(applied);

            await migrator.MigrateAsync();

            var stored = await db.ParticipantBatchChanges.AsNoTracking().SingleAsync(c => c.BatchId == "old-batch");
            Assert.Equal(Encoding.UTF8.GetBytes(changes), stored.Changes);
            var batch = await db.ParticipantBatches.AsNoTracking().SingleAsync(b => b.Id == "old-batch");
            Assert.Equal((Domain.BatchStatus.Processing, 2), (batch.Status, batch.Applied));
        }
        finally
        {
            TestDatabase.Drop(database);
        }
    }

    private static AppDbContext Context(string database)
    {
        if (TestDatabase.IsPostgreSql)
        {
            return new PostgreSqlDbContext(new DbContextOptionsBuilder<PostgreSqlDbContext>().UseNpgsql(TestDatabase.ConnectionString(database)).Options);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        return new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite($"Data Source={database}").Options);
    }
}
