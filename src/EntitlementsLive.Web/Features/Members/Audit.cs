using System.Globalization;
using System.Text;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using EntitlementsLive.Web.Features.Transactions;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Members;

public sealed record AuditEntryDto(long Id, DateTime At, string Actor, string From, AuditAction Action, string Subject, string Details);

public sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, string? NextCursor);

/// <summary>An organization's audit trail for its administrators: newest first, keyset-paged, exportable.</summary>
public sealed class AuditQueries(AppDbContext db)
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

    /// <summary>The whole trail as CSV, streamed from the database.</summary>
    public async Task ExportAsync(HttpResponse response, int organizationId, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"audit-{organizationId}.csv\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 16 * 1024);
        await writer.WriteLineAsync("Id,At (UTC),Actor,From,Action,Subject,Details");
        await foreach (var e in Entries(organizationId).AsAsyncEnumerable().WithCancellation(ct))
        {
            await writer.WriteLineAsync(string.Join(',', new[]
            {
                e.Id.ToString(CultureInfo.InvariantCulture), e.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), e.Actor, e.From,
                Names.Of(e.Action), e.Subject, e.Details,
            }.Select(TransactionExport.Csv)));
        }
    }

    private IQueryable<AuditEntryDto> Entries(int organizationId) =>
        db.AuditEntries.AsNoTracking().Where(e => e.OrganizationId == organizationId).OrderByDescending(e => e.Id)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.Actor, e.From, e.Action, e.Subject, e.Details));
}
