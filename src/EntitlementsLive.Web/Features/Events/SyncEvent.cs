using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Events;

public sealed record EventSyncRequest(string? Name, string? StartsAt, string? EndsAt, string? Status, IReadOnlyList<string?>? Modules, string? TimeZone = null);

/// <summary>The event as synced, and whether this call created it.</summary>
public sealed record EventSyncResult(EventDto Event, bool Created);

/// <summary>
/// The platform tells which events exist, by its own reference: an idempotent upsert. A change of modules or
/// status recomputes what the event requires (rules 2 and 11) and is pushed live; the same body again
/// changes and pushes nothing.
/// </summary>
public sealed class SyncEvent(AppDbContext db, OrganizationWrite write)
{
    public const int MaxLength = 200;

    public async Task<EventSyncResult> Handle(int organizationId, string externalRef, EventSyncRequest request, CancellationToken ct)
    {
        var (name, startsAt, endsAt, status, modules, timeZone) = await Validate(externalRef, request, ct);
        return await write.RunAsync(organizationId, async change =>
        {
            var e = await change.Db.Events.Include(x => x.Products)
                .SingleOrDefaultAsync(x => x.OrganizationId == organizationId && x.ExternalRef == externalRef, ct);
            var created = e is null;
            if (e is null)
            {
                e = new Event(organizationId, name, startsAt, endsAt);
                change.Db.Events.Add(e);
            }

            var wasMissing = !created && e.IsMissing;
            var catalog = await Snapshots.ProductsAsync(change.Db, ct);
            if (!e.Sync(externalRef, name, startsAt, endsAt, status, modules, timeZone) && !created)
            {
                // The same body again: nothing written, nothing pushed.
                return new EventSyncResult(Snapshots.ToDto(e, e.Products, catalog, change.Now), Created: false);
            }

            // Saved first: the warning's key names the event's id.
            await change.Db.SaveChangesAsync(ct);
            await CoverageChanges.RaiseAsync(change, new CoverageChanged(e, e.IsMissing != wasMissing), wasMissing, ct);
            return new EventSyncResult(Snapshots.ToDto(e, e.Products, catalog, change.Now), created);
        }, ct);
    }

    private async Task<(string Name, DateTime StartsAt, DateTime EndsAt, ProductionStatus Status, IReadOnlyList<string> Modules, string? TimeZone)> Validate(
        string externalRef, EventSyncRequest request, CancellationToken ct)
    {
        var check = new Validation();
        if (!Text.IsPrintable(externalRef, MaxLength))
        {
            check.Add("externalRef", $"The event's reference must be 1 to {MaxLength} printable characters.");
        }

        var name = request.Name?.Trim();
        if (!Text.IsPrintable(name, MaxLength))
        {
            check.Add("name", $"Name the event (1 to {MaxLength} printable characters).");
        }

        var startsAt = Instant(check, "startsAt", request.StartsAt);
        var endsAt = Instant(check, "endsAt", request.EndsAt);
        if (startsAt is not null && endsAt is not null && endsAt <= startsAt)
        {
            check.Add("endsAt", "An event must end after it starts.");
        }

        if (!Names.TryParse<ProductionStatus>(request.Status, out var status))
        {
            check.Add("status", $"status must be {string.Join(", ", Enum.GetValues<ProductionStatus>().Select(Names.Of))}.");
        }

        var catalog = await Snapshots.ProductsAsync(db, ct);
        var modules = new List<string>();
        foreach (var code in request.Modules ?? [])
        {
            if (code is null || !catalog.TryGetValue(code, out var product) || product.Kind != ProductKind.Module)
            {
                check.Add("modules", $"{code ?? "null"} is not an Advanced Module product.");
            }
            else if (modules.Contains(code))
            {
                check.Add("modules", $"{code} is listed twice: list each Advanced Module once.");
            }
            else
            {
                modules.Add(code);
            }
        }

        var timeZone = EventTimes.Find(request.TimeZone);
        if (request.TimeZone is not null && timeZone is null)
        {
            check.Add("timeZone", "timeZone must be an IANA time zone name, such as Europe/Paris or Asia/Singapore.");
        }

        check.ThrowIfInvalid();
        return (name!, startsAt!.Value, endsAt!.Value, status, modules, timeZone?.Id);
    }

    private static DateTime? Instant(Validation check, string field, string? text)
    {
        if (StrictInput.Instant(text, field, out var utc) is { } error)
        {
            check.Add(field, error + ".");
            return null;
        }

        return utc;
    }
}
