using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Alerts;

/// <summary>
/// Rule 13 inside a change of the organization: loads what <see cref="AlertBook"/> decides on (levels, open alerts, the
/// warning window) and adds the alerts it raises. The unit of work saves them and writes their messages.
/// </summary>
public static class AlertChanges
{
    /// <summary>The pool's levels against its figures after the change.</summary>
    public static async Task<IReadOnlyList<AlertChanged>> ForPoolAsync(OrganizationChange change, string productCode, string productName,
        long purchased, long available, CancellationToken ct)
    {
        var db = change.Db;
        if (!await WriteQueries.HasThresholdsAsync(db, change.OrganizationId, productCode, ct))
        {
            return [];
        }

        var thresholds = await db.PoolThresholds.AsNoTracking()
            .Where(t => t.OrganizationId == change.OrganizationId && t.ProductCode == productCode).ToListAsync(ct);

        var open = await db.Alerts.Where(a => a.OrganizationId == change.OrganizationId && a.Kind == AlertKind.PoolLow && a.ProductCode == productCode && a.OpenKey != null)
            .ToListAsync(ct);
        return Added(db, AlertBook.SettlePool(thresholds, open, productName, purchased, available, change.Now));
    }

    /// <summary>The event's warning (uncovered soon) against its coverage and dates now.</summary>
    public static async Task<IReadOnlyList<AlertChanged>> ForEventAsync(OrganizationChange change, Event e, bool wasMissing, CancellationToken ct)
    {
        if (!AlertBook.MayMoveWarning(e, wasMissing, change.Now))
        {
            return [];
        }

        var db = change.Db;
        var days = await db.Organizations.Where(o => o.Id == e.OrganizationId).Select(o => o.UncoveredSoonDays).SingleAsync(ct);
        var key = Alert.EventKey(e.Id);
        var open = await db.Alerts.SingleOrDefaultAsync(a => a.OrganizationId == e.OrganizationId && a.OpenKey == key, ct);
        return AlertBook.SettleEvent(e, open, days, change.Now) is { } settled ? Added(db, [settled]) : [];
    }

    /// <summary>The open alerts of levels that no longer exist resolve.</summary>
    public static async Task<IReadOnlyList<AlertChanged>> ForRemovedThresholdsAsync(OrganizationChange change, IReadOnlyCollection<int> thresholdIds, CancellationToken ct)
    {
        if (thresholdIds.Count == 0)
        {
            return [];
        }

        var open = await change.Db.Alerts
            .Where(a => a.OrganizationId == change.OrganizationId && a.OpenKey != null && a.ThresholdId != null && thresholdIds.Contains(a.ThresholdId.Value))
            .ToListAsync(ct);
        return AlertBook.ResolveAll(open, change.Now);
    }

    /// <summary>New alerts join the context (resolved ones are already tracked); the unit of work saves both.</summary>
    public static IReadOnlyList<AlertChanged> Added(AppDbContext db, IReadOnlyList<AlertChanged> changed)
    {
        foreach (var c in changed.Where(c => c.Alert.Id == 0))
        {
            db.Alerts.Add(c.Alert);
        }

        return changed;
    }
}
