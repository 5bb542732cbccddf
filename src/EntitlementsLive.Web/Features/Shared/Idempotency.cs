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
    /// <summary>
    /// Records once, as one change of the organization. Whether the key was recorded before is asked inside that change
    /// (under the organization's lock; on SQLite by the writer, through a statement it keeps prepared), so a first request
    /// costs its caller no read of its own; a repeat is answered after it, by the first result.
    /// </summary>
    /// <param name="record">The change, inside the unit of work.</param>
    /// <param name="answer">The transaction it recorded, once the change is durable (its row has its id then).</param>
    public static async Task<(TransactionDto Transaction, bool Created)> RecordOnceAsync<T>(AppDbContext db, OrganizationWrite write, int organizationId,
        string key, string fingerprint, Func<OrganizationChange, Task<T>> record, Func<T, TransactionDto> answer, CancellationToken ct)
    {
        T recorded;
        try
        {
            recorded = await write.RunAsync(organizationId, async change =>
                await WriteQueries.KeyRecordedAsync(change.Db, organizationId, key, ct) ? throw new RecordedBefore() : await record(change), ct);
        }
        catch (Exception ex) when (ex is RecordedBefore or DbUpdateException or DbException or EntitlementsLive.Domain.DomainException)
        {
            // Recorded before, or another request with the same key committed first: answer with its result. Its effect may
            // also be why this one was refused (it waited for the organization, then found the balance spent by that very request).
            db.ChangeTracker.Clear();
            var first = await EarlierAsync(db, organizationId, key, fingerprint, ct);
            if (first is null)
            {
                throw;
            }

            return (first, false);
        }

        return (answer(recorded), true);
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

    /// <summary>The key has a ledger row already: nothing of the change is written, and the first result answers.</summary>
    private sealed class RecordedBefore() : Exception("This idempotency key was recorded before.");
}
