using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Data.Sqlite;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Purchases;
using EntitlementsLive.Web.Features.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Writes that queue together commit together: on SQLite in one group (one transaction, a savepoint each), on PostgreSQL
/// one after another behind the organization's lock. Either way each caller hears its own result, a refused write
/// leaves the others, and keys, sequences and alerts behave as if the writes had come one by one.
/// </summary>
[Collection(AppCollection.Name)]
public class GroupCommitTests(AppFactory app)
{
    [Fact]
    public async Task AGroupWithRefusedTransfers_CommitsTheOthers_AndAnswersEachCallerWithItsOwn()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 7, modules: ProductCodes.LeadRetrieval);
        await app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null);
        var keys = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();

        var answers = await InOneGroup(orgId,
        [
            () => app.Transfer(orgId, eventId, ProductCodes.Subscription, 3, keys[0]),
            () => app.Transfer(orgId, eventId, ProductCodes.LeadRetrieval, null),
            () => app.Transfer(orgId, eventId, ProductCodes.Subscription, 3, keys[1]),
            () => app.Transfer(orgId, eventId, ProductCodes.Subscription, 3, keys[2]),
        ]);

        Assert.Equal(ErrorCodes.ModuleAlreadyAllocated, Assert.IsType<DomainException>(answers[1].Exception?.InnerException).Code);
        Assert.Equal(ErrorCodes.InsufficientBalance, Assert.IsType<DomainException>(answers[3].Exception?.InnerException).Code);
        var recorded = new[] { (await answers[0]).Transaction, (await answers[2]).Transaction };
        await app.WithDb(async db =>
        {
            // Each caller got its own row: the one its key recorded, with the balance after it.
            for (var i = 0; i < 2; i++)
            {
                var row = await db.Ledger.AsNoTracking().SingleAsync(l => l.Id == recorded[i].Id);
                Assert.Equal(keys[i], row.IdempotencyKey);
                Assert.Equal(recorded[i].Sequence, row.Sequence);
                Assert.Equal(4 - (3 * i), row.BalanceAfter);
            }

            Assert.False(await db.Ledger.AnyAsync(l => l.OrganizationId == orgId && l.IdempotencyKey == keys[2]));
            Assert.Equal(1, await db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());
            Assert.Equal(6, await db.EventProducts.Where(p => p.EventId == eventId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Allocated).SingleAsync());
            Assert.Equal(1, await db.EventProducts.Where(p => p.EventId == eventId && p.ProductCode == ProductCodes.LeadRetrieval).Select(p => p.Allocated).SingleAsync());

            // The refused writes took no numbers: 1..N without gaps, and each recorded transfer's message carries its row's sequence.
            var sequences = await db.Outbox.Where(m => m.OrganizationId == orgId).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
            Assert.Equal(sequences[^1], await db.Organizations.Where(o => o.Id == orgId).Select(o => o.LastSequence).SingleAsync());
            foreach (var transaction in recorded)
            {
                Assert.Equal(MessageTypes.TransactionRecorded, await db.Outbox.Where(m => m.OrganizationId == orgId && m.Sequence == transaction.Sequence).Select(m => m.Type).SingleAsync());
            }

            return 0;
        });
    }

    [Fact]
    public void RowStatementDates_AreWrittenExactlyAsEfCoreWritesThem()
    {
        var random = new Random(20261208);
        var dates = new List<DateTime>
        {
            DateTime.MinValue, DateTime.MaxValue, new(2027, 4, 1, 10, 0, 0, DateTimeKind.Utc), new(2027, 4, 1, 10, 0, 0, 100, DateTimeKind.Utc),
            new DateTime(2027, 4, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1), new DateTime(2027, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990),
        };
        dates.AddRange(Enumerable.Range(0, 10_000).Select(_ => new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc)));
        Span<byte> text = stackalloc byte[27];
        foreach (var at in dates)
        {
            var written = System.Text.Encoding.UTF8.GetString(text[..SqliteRowStatement.FormatDateTime(at, text)]);
            Assert.Equal(at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture), written);
        }
    }

    [Fact]
    public async Task EveryOpenOfAPooledSqliteConnection_HasTheBusyTimeout_SetOncePerNativeConnection()
    {
        if (TestDatabase.IsPostgreSql)
        {
            return;
        }

        // The pool hands back the same native connection: the timeout set on its first open must still be there, on every
        // later open, synchronous or not, for EF Core's own queries and for commands of the connection.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(10_000L, await app.WithDb(async db =>
            {
                var connection = db.Database.GetDbConnection();
                if (i % 2 == 0)
                {
                    await db.Database.OpenConnectionAsync();
                }
                else
                {
                    db.Database.OpenConnection();
                }

                try
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA busy_timeout";
                    return (long)(await command.ExecuteScalarAsync())!;
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            }));
        }
    }

    [Fact]
    public async Task RowStatement_RefusesARowAsEfCoreWould_AndTheTransactionGoesOn()
    {
        if (TestDatabase.IsPostgreSql)
        {
            return;
        }

        var (_, orgId, eventId) = await app.ApiAdminOf(subscriptions: 1);
        await app.WithDb(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            using (var insert = new SqliteRowStatement(db, "INSERT INTO AppliedChanges (OrganizationId, ChangeId, EventId) VALUES (?1, ?2, ?3)"))
            {
                insert.Bind(1, orgId).Bind(2, "row-1").Bind(3, eventId).Run();
                var refused = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => insert.Bind(1, orgId).Bind(2, "row-1").Bind(3, eventId).Run());
                Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT: the same change id twice
                insert.Bind(1, orgId).Bind(2, "row-2").Bind(3, eventId).Run();
            }

            Assert.Equal(["row-1", "row-2"], await db.AppliedChanges.Where(c => c.OrganizationId == orgId).OrderBy(c => c.ChangeId).Select(c => c.ChangeId).ToListAsync());
            await tx.RollbackAsync();
            return 0;
        });
        Assert.Equal(0, await app.WithDb(db => db.AppliedChanges.CountAsync(c => c.OrganizationId == orgId)));
    }

    [Fact]
    public async Task KeptStatements_BindEachCallsOwnValues_PastTheCacheLimit_InTransactionsOneAfterAnother_AndAfterAFailure()
    {
        var orgs = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            orgs.Add((await app.NewOrganization(subscriptions: 10 + i)).OrgId);
        }

        await app.WithDb(async db =>
        {
            await db.Database.OpenConnectionAsync();
            Sql.KeepPrepared(db);
            async Task<long> Available(int org, string extra = "") => (await Sql.ReturningAsync(db,
                $"""SELECT "Available" FROM "Pools" WHERE "OrganizationId" = @org AND "ProductCode" = @product {extra}""",
                r => new[] { r.GetInt64(0) }, CancellationToken.None, ("@org", org), ("@product", ProductCodes.Subscription)))![0];

            for (var round = 0; round < 2; round++)
            {
                await using var tx = await db.Database.BeginTransactionAsync();

                // The same statement, kept prepared, with each call's own values.
                var seen = new List<long> { await Available(orgs[0]), await Available(orgs[1]), await Available(orgs[2]) };
                Assert.Equal([10L, 11L, 12L], seen);

                // More distinct statements than a connection keeps: the rest run unkept, and just as right.
                for (var i = 0; i < 80; i++)
                {
                    Assert.Equal(10 + (i % 3), await Available(orgs[i % 3], FormattableString.Invariant($"AND {i} = {i}")));
                }

                // A statement that fails leaves the kept one usable (PostgreSQL refuses anything after a failure until a rollback).
                if (!TestDatabase.IsPostgreSql)
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => Sql.ExecuteAsync(db, """UPDATE "Pools" SET "Available" = -1 WHERE "OrganizationId" = @org""", CancellationToken.None, ("@org", orgs[0])));
                    Assert.Equal(11, await Available(orgs[1]));
                }

                await tx.RollbackAsync();
            }

            return 0;
        });
    }

    [Fact]
    public async Task TheSameKeyTwiceInOneGroup_RecordsOneTransfer_AndBothCallersHearIt()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        var key = Guid.NewGuid().ToString();

        var answers = await InOneGroup(orgId,
        [
            () => app.Transfer(orgId, eventId, ProductCodes.Subscription, 4, key),
            () => app.Transfer(orgId, eventId, ProductCodes.Subscription, 4, key),
        ]);

        var (first, second) = (await answers[0], await answers[1]);
        Assert.Equal(first.Transaction.Id, second.Transaction.Id);
        Assert.Equal(1, new[] { first, second }.Count(a => a.Created));
        await app.WithDb(async db =>
        {
            Assert.Equal(1, await db.Ledger.CountAsync(l => l.OrganizationId == orgId && l.IdempotencyKey == key));
            Assert.Equal(6, await db.Pools.Where(p => p.OrganizationId == orgId && p.ProductCode == ProductCodes.Subscription).Select(p => p.Available).SingleAsync());
            return 0;
        });
    }

    [Fact]
    public async Task AnAlertCrossedInsideOneGroup_IsRaisedOnce_AndClearedInsideTheNext_ResolvedOnce()
    {
        var (orgId, eventId) = await app.NewOrganization(subscriptions: 10);
        await app.With<SetThresholds, ThresholdsDto>(h => h.Handle(orgId, ProductCodes.Subscription,
            new ThresholdsRequest([new ThresholdLevel(5, null)]), CancellationToken.None));

        // 10 → 8 → 6 → 4 (crossed once, at the third, in whatever order the lock queue lets them in) → 2 (still low).
        var crossing = await InOneGroup(orgId, [.. Enumerable.Range(0, 4).Select(_ => (Func<Task<TransferResult>>)(() => app.Transfer(orgId, eventId, ProductCodes.Subscription, 2)))]);
        Assert.All(crossing, a => Assert.True(a.IsCompletedSuccessfully));
        var raised = await app.WithDb(db => db.Alerts.AsNoTracking().Where(a => a.OrganizationId == orgId && a.Kind == AlertKind.PoolLow).ToListAsync());
        Assert.True(Assert.Single(raised).IsOpen);
        Assert.Contains("4 available", raised[0].Message, StringComparison.Ordinal);

        // 2 → 12 → 22: cleared once, by the first purchase in.
        var clearing = await InOneGroup(orgId, [.. Enumerable.Range(0, 2).Select(_ => (Func<Task<PurchaseResult>>)(() => app.Purchase(orgId, ProductCodes.Subscription, 10)))]);
        Assert.All(clearing, a => Assert.True(a.IsCompletedSuccessfully));
        await app.WithDb(async db =>
        {
            var alert = Assert.Single(await db.Alerts.AsNoTracking().Where(a => a.OrganizationId == orgId && a.Kind == AlertKind.PoolLow).ToListAsync());
            Assert.False(alert.IsOpen);
            var messages = await db.Outbox.Where(m => m.OrganizationId == orgId && (m.Type == MessageTypes.AlertRaised || m.Type == MessageTypes.AlertResolved))
                .OrderBy(m => m.Sequence).Select(m => m.Type).ToListAsync();
            Assert.Equal([MessageTypes.AlertRaised, MessageTypes.AlertResolved], messages);
            return 0;
        });
    }

    /// <summary>
    /// Starts the writes one after another while the organization's writer is held (SQLite's write gate, the
    /// organization's row on PostgreSQL), each once the one before is waiting, then lets them all through at once. SQLite
    /// takes them in that order; PostgreSQL's lock queue need not, so the tests do not depend on the order.
    /// </summary>
    private async Task<Task<T>[]> InOneGroup<T>(int orgId, IReadOnlyList<Func<Task<T>>> writes)
    {
        var group = app.Services.GetService<SqliteGroupCommit>();
        var before = group?.Committed;
        var started = new List<Task<T>>();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var hold = await db.BeginWriteAsync(orgId);
            foreach (var write in writes)
            {
                started.Add(Task.Run(write));
                var waiting = started.Count;
                await Until(async () => group is not null ? group.Queued(orgId) == waiting : await WaitingOnLocks() == waiting);
            }
        }

        try
        {
            await Task.WhenAll(started);
        }
        catch (Exception)
        {
            // Each answer is checked by the test.
        }

        if (group is not null)
        {
            var after = group.Committed;
            Assert.True(after.Changes - before!.Value.Changes >= writes.Count, "every write went through the group commit");
        }

        return [.. started];
    }

    private Task<int> WaitingOnLocks() => app.WithDb(db => db.Database
        .SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'""")
        .SingleAsync());

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the writes never queued");
            await Task.Delay(5);
        }
    }
}
