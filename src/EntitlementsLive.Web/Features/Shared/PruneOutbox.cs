using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>Deletes outbox rows past their retention that were already pushed; clients older than that reload.</summary>
public sealed class PruneOutbox(AppDbContext db, TimeProvider clock)
{
    public async Task<int> Handle(TimeSpan retention, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - retention;
        var deleted = 0;
        foreach (var cursor in await db.OutboxCursors.AsNoTracking().ToListAsync(ct))
        {
            deleted += await db.Outbox
                .Where(m => m.OrganizationId == cursor.OrganizationId && m.Sequence <= cursor.Sequence && m.CreatedAt < cutoff)
                .ExecuteDeleteAsync(ct);
        }

        return deleted;
    }
}
