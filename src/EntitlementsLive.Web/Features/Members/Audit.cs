using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

public sealed record AuditEntryDto(long Id, DateTime At, string Actor, string From, AuditAction Action, string Subject, string Details);

public sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, string? NextCursor);

/// <summary>An organization's audit trail for its administrators: newest first, keyset-paged, exportable.</summary>
public sealed class AuditQueries(AppDbContext db, TimeProvider clock)
{
    public const int DefaultLimit = 50;

    public async Task<AuditPage> Page(int organizationId, int? limit, string? cursor, CancellationToken ct)
    {
        var check = new Validation();
        var (take, before) = Keyset.Read(check, limit, cursor, DefaultLimit);
        check.ThrowIfInvalid();
        var query = Entries(organizationId);
        if (before is not null)
        {
            query = query.Where(e => e.Id < before);
        }

        var (items, next) = Keyset.Cut(await query.Take(take + 1).ToListAsync(ct), take, e => e.Id);
        return new AuditPage(items, next);
    }

    private static readonly string[] Header = ["Id", "At", "Actor", "From", "Action", "Subject", "Details"];

    /// <summary>The whole trail as CSV or XLSX, streamed from the database.</summary>
    public Task ExportAsync(HttpResponse response, int organizationId, string? format, CancellationToken ct)
    {
        var kind = TableExport.Format(format);
        var rows = Entries(organizationId).AsAsyncEnumerable()
            .Select(e => new object?[] { e.Id, TableExport.Instant(e.At), e.Actor, e.From, Names.Of(e.Action), e.Subject, e.Details });
        return TableExport.WriteAsync(response, $"audit-{organizationId}", kind, Header, rows, clock, ct);
    }

    private IQueryable<AuditEntryDto> Entries(int organizationId) =>
        db.AuditEntries.AsNoTracking().Where(e => e.OrganizationId == organizationId).OrderByDescending(e => e.Id)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.Actor, e.From, e.Action, e.Subject, e.Details));
}
