using System.Security.Claims;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Who is calling and their memberships. Memberships are read from the database once per request, so a
/// removed membership takes effect at once. Access itself is decided by the authorization policies.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor http, IServiceProvider services)
{
    // The database is reached only when the memberships are read, never at construction: the request of a hub
    // connection lives as long as the connection, and every authorization handler (this among their dependencies) is
    // built for it, so a DbContext taken here would be held for as long, one per open screen.

    private IReadOnlyList<Membership>? _memberships;

    public ClaimsPrincipal Principal => http.HttpContext?.User ?? new ClaimsPrincipal();

    public string? UserId => Principal.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>How the ledger names the caller.</summary>
    public string Actor => Principal.FindFirstValue(ClaimTypes.Email) ?? Principal.Identity?.Name ?? "unknown";

    public async Task<IReadOnlyList<Membership>> MembershipsAsync(CancellationToken ct) =>
        _memberships ??= UserId is null ? [] : await Load(services.GetRequiredService<AppDbContext>(), UserId, ct);

    /// <summary>Whether the caller manages the organization's entitlements (what the page shows them, not whether they get in).</summary>
    public async Task<bool> ManagesEntitlementsAsync(int organizationId, CancellationToken ct) =>
        (await MembershipsAsync(ct)).ManagesEntitlements(organizationId);

    // Read on every request (a removed membership takes effect at once): compiled, as EF Core's translation per call cost
    // more than the query (a profile of transfers over HTTP put the request's two access reads at a fifth of the server).
    private static readonly Func<AppDbContext, string, IAsyncEnumerable<Membership>> MembershipsOfUser = EF.CompileAsyncQuery((AppDbContext db, string userId) =>
        db.Memberships.AsNoTracking().Where(m => m.UserId == userId));

    public static async Task<IReadOnlyList<Membership>> Load(AppDbContext db, string userId, CancellationToken ct)
    {
        var memberships = new List<Membership>();
        await foreach (var m in MembershipsOfUser(db, userId).WithCancellation(ct))
        {
            memberships.Add(m);
        }

        return memberships;
    }
}
