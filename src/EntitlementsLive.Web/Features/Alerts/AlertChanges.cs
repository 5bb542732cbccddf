using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Alerts;

/// <summary>
/// Rule 13 inside the caller's transaction: after a pool or an event changed, each alert whose condition now holds is
/// raised and each whose condition cleared is resolved. Writers of one organization are serialized (SQLite's write
/// gate, the organization row lock of the sequence), so every crossing is seen exactly once; the unique open key is
/// the backstop. The caller reserves the sequences and writes the messages with its own.
/// </summary>
public sealed class AlertChanges
{
    public static readonly AlertChanges None = new([]);

    private AlertChanges(List<Alert> changed) => Changed = changed;

    /// <summary>Alerts raised (open) or resolved by this change, in the order they happened.</summary>
    public IReadOnlyList<Alert> Changed { get; }

    public int MessageCount => Changed.Count;

    public IEnumerable<OutboxMessage> Messages(int organizationId, long firstSequence, DateTime now) =>
        Changed.Select((a, i) => LiveMessages.Alert(organizationId, firstSequence + i, AlertDto.Of(a), now));

    /// <summary>Reserves the sequences and writes the messages, for changes that push nothing else.</summary>
    public async Task WriteAsync(AppDbContext db, int organizationId, DateTime now, CancellationToken ct)
    {
        if (MessageCount > 0)
        {
            var sequence = await OutboxWriter.ReserveAsync(db, organizationId, MessageCount, ct);
            await OutboxWriter.InsertAsync(db, Messages(organizationId, sequence, now).ToList(), ct);
        }
    }

    /// <summary>The pool's levels against its figures after the change.</summary>
    public static async Task<AlertChanges> ForPoolAsync(AppDbContext db, int organizationId, string productCode, string productName,
        long purchased, long available, DateTime now, CancellationToken ct)
    {
        var thresholds = await db.PoolThresholds.AsNoTracking()
            .Where(t => t.OrganizationId == organizationId && t.ProductCode == productCode).ToListAsync(ct);
        if (thresholds.Count == 0)
        {
            return None;
        }

        var open = await db.Alerts.Where(a => a.OrganizationId == organizationId && a.Kind == AlertKind.PoolLow && a.ProductCode == productCode && a.OpenKey != null)
            .ToListAsync(ct);
        var changed = new List<Alert>();
        foreach (var threshold in thresholds)
        {
            var alert = open.Find(a => a.ThresholdId == threshold.Id);
            var low = threshold.IsLow(purchased, available);
            if (low && alert is null)
            {
                var raised = Alert.PoolLow(threshold, productName, purchased, available, now);
                db.Alerts.Add(raised);
                changed.Add(raised);
            }
            else if (!low && alert is not null)
            {
                alert.Resolve(now);
                changed.Add(alert);
            }
        }

        return await SavedAsync(db, changed, ct);
    }

    /// <summary>The event's warning (uncovered soon) against its coverage and dates now.</summary>
    public static async Task<AlertChanges> ForEventAsync(AppDbContext db, Event e, bool wasMissing, DateTime now, CancellationToken ct)
    {
        // Covered before and after: any warning was resolved when it became covered. Too far ahead for any window: the
        // sweep raises it when the event enters its window.
        if ((!e.IsMissing && !wasMissing) || (e.IsMissing && e.StartsAt > now.AddDays(Alert.MaxWindowDays)))
        {
            return None;
        }

        var days = await db.Organizations.Where(o => o.Id == e.OrganizationId).Select(o => o.UncoveredSoonDays).SingleAsync(ct);
        var key = Alert.EventKey(e.Id);
        var open = await db.Alerts.SingleOrDefaultAsync(a => a.OrganizationId == e.OrganizationId && a.OpenKey == key, ct);
        var changed = new List<Alert>();
        SettleEvent(db, e, open, days, now, changed);
        return await SavedAsync(db, changed, ct);
    }

    /// <summary>Raises the event's warning when it is needed and none is open, resolves the open one when it is not.</summary>
    public static void SettleEvent(AppDbContext db, Event e, Alert? open, int days, DateTime now, List<Alert> changed)
    {
        var needed = Alert.EventNeedsWarning(e, now, days);
        if (needed && open is null)
        {
            var raised = Alert.UncoveredSoon(e, days, now);
            db.Alerts.Add(raised);
            changed.Add(raised);
        }
        else if (!needed && open is not null)
        {
            open.Resolve(now);
            changed.Add(open);
        }
    }

    /// <summary>Resolves the open alerts of thresholds that no longer exist.</summary>
    public static async Task<AlertChanges> ForRemovedThresholdsAsync(AppDbContext db, int organizationId, IReadOnlyCollection<int> thresholdIds, DateTime now,
        CancellationToken ct)
    {
        if (thresholdIds.Count == 0)
        {
            return None;
        }

        var open = await db.Alerts.Where(a => a.OrganizationId == organizationId && a.OpenKey != null && a.ThresholdId != null && thresholdIds.Contains(a.ThresholdId.Value))
            .ToListAsync(ct);
        open.ForEach(a => a.Resolve(now));
        return await SavedAsync(db, open, ct);
    }

    public static AlertChanges Merge(params AlertChanges[] parts) => new([.. parts.SelectMany(p => p.Changed)]);

    /// <summary>The alerts raised or resolved, saved in the caller's transaction.</summary>
    public static async Task<AlertChanges> SavedAsync(AppDbContext db, List<Alert> changed, CancellationToken ct)
    {
        if (changed.Count == 0)
        {
            return None;
        }

        await db.SaveChangesAsync(ct);
        return new AlertChanges(changed);
    }
}
