using System.Collections.Concurrent;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// The hub groups, named in one place and chosen from memberships. It remembers which connections a
/// user has, so a removed membership also leaves the live connection's groups.
/// </summary>
public sealed class LiveGroups(IServiceScopeFactory scopes, IHubContext<EntitlementsHub, IEntitlementsClient> hub)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _connections = new(StringComparer.Ordinal);

    public static string Admins(int organizationId) => FormattableString.Invariant($"org:{organizationId}:admins");

    public static string Team(int eventId) => FormattableString.Invariant($"event:{eventId}:team");

    public static IEnumerable<string> For(IEnumerable<Membership> memberships) =>
        memberships.Select(m => m.Role switch
        {
            Role.OrganizationAdministrator => Admins(m.OrganizationId!.Value),
            Role.EventTeam => Team(m.EventId!.Value),
            _ => null,
        }).OfType<string>().Distinct(StringComparer.Ordinal);

    public async Task JoinAsync(string? userId, string connectionId, CancellationToken ct)
    {
        if (userId is null)
        {
            return;
        }

        _connections.GetOrAdd(userId, _ => new(StringComparer.Ordinal))[connectionId] = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var joined = (await Allowed(db, userId, ct)).ToList();
        foreach (var group in joined)
        {
            await hub.Groups.AddToGroupAsync(connectionId, group, ct);
        }

        // A membership removed while this connection joined: its revoke may have run before the add.
        foreach (var group in joined.Except(await Allowed(db, userId, ct), StringComparer.Ordinal))
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, group, ct);
        }
    }

    /// <summary>The groups of the user's memberships in organizations whose entitlements are activated (rule 8).</summary>
    private static async Task<IEnumerable<string>> Allowed(AppDbContext db, string userId, CancellationToken ct)
    {
        var memberships = await CurrentUser.Load(db, userId, ct);
        var organizations = memberships.Select(m => m.OrganizationId).OfType<int>().Distinct().ToList();
        var activated = (await db.Organizations.AsNoTracking().Where(o => organizations.Contains(o.Id) && o.EntitlementsActivated)
            .Select(o => o.Id).ToListAsync(ct)).ToHashSet();
        return For(memberships.Where(m => m.OrganizationId is { } id && activated.Contains(id)));
    }

    public Task LeaveAsync(string? userId, string connectionId)
    {
        if (userId is not null && _connections.TryGetValue(userId, out var set))
        {
            set.TryRemove(connectionId, out _);
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes the user's open connections out of the groups a membership no longer allows.</summary>
    public async Task RevokeAsync(string userId, IEnumerable<string> groups, CancellationToken ct)
    {
        if (!_connections.TryGetValue(userId, out var set))
        {
            return;
        }

        foreach (var connectionId in set.Keys)
        {
            foreach (var group in groups)
            {
                await hub.Groups.RemoveFromGroupAsync(connectionId, group, ct);
            }
        }
    }
}
