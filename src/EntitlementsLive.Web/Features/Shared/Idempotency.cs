using System.Data.Common;
using EntitlementsLive.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// Rule 7 for every ledger write: the same key with the same request returns the first result; with
/// another request it is refused; two requests racing with one key record once (the unique index decides).
/// </summary>
public static class Idempotency
{
    public static async Task<(TransactionDto Transaction, bool Created)> RecordOnceAsync(AppDbContext db, int organizationId, string key,
        string fingerprint, Func<Task<TransactionDto>> record, CancellationToken ct)
    {
        if (await EarlierAsync(db, organizationId, key, fingerprint, ct) is { } earlier)
        {
            return (earlier, false);
        }

        try
        {
            return (await record(), true);
        }
        catch (Exception ex) when (ex is DbUpdateException or DbException or EntitlementsLive.Domain.DomainException)
        {
            // Another request with the same key committed first: answer with its result. Its effect may also be why this
            // one was refused (it waited on the organization's lock, then found the balance spent by that very request).
            db.ChangeTracker.Clear();
            var first = await EarlierAsync(db, organizationId, key, fingerprint, ct);
            if (first is null)
            {
                throw;
            }

            return (first, false);
        }
    }

    private static async Task<TransactionDto?> EarlierAsync(AppDbContext db, int organizationId, string key, string fingerprint, CancellationToken ct)
    {
        var existing = await WriteQueries.EntryAsync(db, organizationId, key);
        if (existing is null)
        {
            return null;
        }

        existing.EnsureSameRequest(fingerprint);
        return await Snapshots.Transactions(db, db.Ledger.Where(l => l.Id == existing.Id)).SingleAsync(ct);
    }
}
