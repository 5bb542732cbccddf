using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Pools;

/// <summary>The "My Organization Entitlements" tab: each purchased product's pool.</summary>
public sealed class PoolQueries(AppDbContext db)
{
    public Task<IReadOnlyList<PoolDto>> List(int organizationId, CancellationToken ct) => Snapshots.PoolsAsync(db, organizationId, null, ct);
}
