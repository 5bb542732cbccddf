using System.Globalization;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Transactions;

public sealed record TransactionFilter(string? ProductCode = null, int? EventId = null, string? Kind = null);

public sealed record TransactionPage(IReadOnlyList<TransactionDto> Items, string? NextCursor);

/// <summary>The transaction history: newest first, keyset-paged on the ledger id, with filters.</summary>
public sealed class TransactionQueries(AppDbContext db)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = Keyset.MaxLimit;

    public async Task<TransactionPage> Page(int organizationId, TransactionFilter filter, int? limit, string? cursor, CancellationToken ct)
    {
        var check = new Validation();
        var (take, before) = Keyset.Read(check, limit, cursor, DefaultLimit);
        var ledger = Filtered(organizationId, filter, check);
        check.ThrowIfInvalid();
        if (before is not null)
        {
            ledger = ledger.Where(l => l.Id < before);
        }

        var (items, next) = Keyset.Cut(await Snapshots.Transactions(db, ledger).Take(take + 1).ToListAsync(ct), take, t => t.Id);
        return new TransactionPage(items, next);
    }

    /// <summary>The whole filtered history, newest first, streamed from the database.</summary>
    public IAsyncEnumerable<TransactionDto> Stream(int organizationId, TransactionFilter filter)
    {
        var check = new Validation();
        var ledger = Filtered(organizationId, filter, check);
        check.ThrowIfInvalid();
        return Snapshots.Transactions(db, ledger).AsAsyncEnumerable();
    }

    private IQueryable<LedgerEntry> Filtered(int organizationId, TransactionFilter filter, Validation check)
    {
        var query = db.Ledger.Where(l => l.OrganizationId == organizationId);
        if (!string.IsNullOrEmpty(filter.ProductCode))
        {
            if (!Text.IsPrintable(filter.ProductCode, 50))
            {
                check.Add("productCode", "productCode must be a product code, e.g. SUBSCRIPTION.");
            }

            query = query.Where(l => l.ProductCode == filter.ProductCode);
        }

        if (filter.EventId is not null)
        {
            if (filter.EventId <= 0)
            {
                check.Add("eventId", "eventId must be the id of an event.");
            }

            query = query.Where(l => l.EventId == filter.EventId);
        }

        if (string.IsNullOrEmpty(filter.Kind))
        {
            return query;
        }

        if (Names.TryParse<LedgerKind>(filter.Kind, out var kind))
        {
            query = query.Where(l => l.Kind == kind);
        }
        else
        {
            check.Add("kind", $"kind must be {string.Join(" or ", Enum.GetValues<LedgerKind>().Select(Names.Of))}.");
        }

        return query;
    }
}
