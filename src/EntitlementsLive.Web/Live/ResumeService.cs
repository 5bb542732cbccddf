using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Live;

public sealed record ResumeResult(int Replayed, bool ReloadRequired, long LastSequence)
{
    /// <summary>Nothing replayed, and nothing said about the organization.</summary>
    public static readonly ResumeResult Nothing = new(0, ReloadRequired: false, LastSequence: 0);
}

/// <summary>
/// Re-sends to one connection what it missed after a sequence, limited to what its memberships allow,
/// or tells it to reload when that history was pruned.
/// </summary>
public sealed class ResumeService(IServiceScopeFactory scopes)
{
    public const int MaxReplay = 10_000;

    public async Task<ResumeResult> Handle(string? userId, int organizationId, long afterSequence, IEntitlementsClient caller, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var memberships = userId is null ? [] : await CurrentUser.Load(db, userId, ct);
        var hears = LiveAudience.ReplayFilter(memberships, organizationId);
        var last = await db.Organizations.Where(o => o.Id == organizationId).Where(Organization.EntitlementsWork)
            .Select(o => (long?)o.LastSequence).SingleOrDefaultAsync(ct);
        if (last is null || hears is null)
        {
            // Nothing of this organization is visible to the caller: nothing to replay, and nothing said about it.
            return ResumeResult.Nothing;
        }

        if (afterSequence >= last)
        {
            return new ResumeResult(0, ReloadRequired: false, last.Value);
        }

        var oldest = await db.Outbox.Where(m => m.OrganizationId == organizationId).MinAsync(m => (long?)m.Sequence, ct);
        var pendingCount = last.Value - Math.Max(afterSequence, 0);
        if (afterSequence < 0 || oldest is null || oldest > afterSequence + 1 || pendingCount > MaxReplay)
        {
            return new ResumeResult(0, ReloadRequired: true, last.Value);
        }

        // The same rule as the pushes' (LiveAudience), run by the database.
        var query = db.Outbox.AsNoTracking().Where(m => m.OrganizationId == organizationId && m.Sequence > afterSequence).Where(hears);
        var rows = OutboxDispatch.Coalesce(await query.OrderBy(m => m.Sequence).ToListAsync(ct));
        foreach (var row in rows)
        {
            await OutboxDispatch.SendAsync(caller, row);
        }

        return new ResumeResult(rows.Count, ReloadRequired: false, last.Value);
    }
}
