using System.Collections.Concurrent;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Live;

/// <summary>
/// How far each organization's outbox was pushed, and its saved copy: read when a drainer starts, saved every
/// <see cref="LiveOptions.CursorSaveIntervalMs"/> and on a graceful stop, so a restart pushes only what was left
/// (and at most that interval again, which screens drop as repeats).
/// </summary>
public sealed class OutboxCursors(IServiceScopeFactory scopes, IOptions<LiveOptions> options, [FromKeyedServices(LiveTiming.Clock)] TimeProvider timing)
{
    private readonly ConcurrentDictionary<int, long> _pushed = new();
    private readonly ConcurrentDictionary<int, long> _saved = new();
    private long? _lastSave;

    public IReadOnlyDictionary<int, long> Pushed => _pushed;

    public long PushedOf(int organizationId) => _pushed.GetValueOrDefault(organizationId);

    public void Advance(int organizationId, long sequence) => _pushed[organizationId] = sequence;

    public async Task LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var cursor in await db.OutboxCursors.AsNoTracking().ToListAsync(ct))
        {
            _pushed[cursor.OrganizationId] = cursor.Sequence;
            _saved[cursor.OrganizationId] = cursor.Sequence;
        }
    }

    /// <summary>The organizations whose committed changes go past what was pushed of them.</summary>
    public async Task<IReadOnlyList<int>> BehindAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var latest = await db.Organizations.AsNoTracking().Select(o => new { o.Id, o.LastSequence }).ToListAsync(ct);
        return latest.Where(o => o.LastSequence > PushedOf(o.Id)).Select(o => o.Id).ToList();
    }

    public Task SaveIfDueAsync(CancellationToken ct) =>
        _lastSave is { } last && timing.GetElapsedTime(last) < TimeSpan.FromMilliseconds(options.Value.CursorSaveIntervalMs) ? Task.CompletedTask : SaveAsync(ct);

    /// <summary>Saves the positions that moved since the last save, in one short transaction.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        _lastSave = timing.GetTimestamp();
        var moved = _pushed.Where(p => _saved.GetValueOrDefault(p.Key) != p.Value).ToList();
        if (moved.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var tx = await db.Database.BeginWriteAsync(ct);
        foreach (var (organizationId, sequence) in moved)
        {
            var updated = await db.OutboxCursors.Where(c => c.OrganizationId == organizationId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Sequence, sequence), ct);
            if (updated == 0)
            {
                db.OutboxCursors.Add(new OutboxCursor { OrganizationId = organizationId, Sequence = sequence });
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var (organizationId, sequence) in moved)
        {
            _saved[organizationId] = sequence;
        }
    }

    /// <summary>The lead ended: positions held here may be behind the next holder's; the saved ones are read again on the next lead.</summary>
    public void Forget()
    {
        _pushed.Clear();
        _saved.Clear();
    }
}
