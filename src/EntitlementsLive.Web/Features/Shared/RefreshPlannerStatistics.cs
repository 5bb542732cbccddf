using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Keeps SQLite's query planner informed. Without statistics it cannot tell a selective index from a broad one, and
/// picks plans that sort thousands of rows (the Events tab's Live list did). <c>PRAGMA optimize</c> analyzes only
/// the tables whose statistics are missing or stale, each on a bounded sample (<c>analysis_limit</c>), so it takes
/// milliseconds at any size. PostgreSQL keeps its own statistics (autovacuum's analyze): nothing to do there.
/// </summary>
public sealed class RefreshPlannerStatistics(AppDbContext db)
{
    // Rows sampled per index (analysis_limit): SQLite's recommended bound, enough for the planner's choices.
    private const string Limit = "PRAGMA analysis_limit=1000;";

    /// <summary>
    /// At start-up, every table is considered (0x10000), as the connection has seen no query yet; hourly, SQLite's
    /// default choice is used. Returns whether anything ran.
    /// </summary>
    public async Task<bool> Handle(bool atStartUp, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return false;
        }

        await db.Database.ExecuteSqlRawAsync(atStartUp ? Limit + " PRAGMA optimize=0x10002;" : Limit + " PRAGMA optimize;", ct);
        return true;
    }
}
