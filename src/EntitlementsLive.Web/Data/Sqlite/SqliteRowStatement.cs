using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace EntitlementsLive.Web.Data.Sqlite;

/// <summary>
/// One statement prepared once and stepped once per row, with its values bound by position, inside the caller's
/// transaction: the bulk writes of thousands of rows. Measured on 10,000 applied changes (four B-trees): 5 µs a row,
/// against 11 µs for one statement over a JSON array unpacked with json_each (SQLite re-parses each row's array per
/// column) and 7.5 µs for a prepared <see cref="SqliteCommand"/> per row (a data reader per execution).
/// </summary>
internal sealed class SqliteRowStatement : IDisposable
{
    /// <summary>"yyyy-MM-dd HH:mm:ss.FFFFFFF" at its longest.</summary>
    private const int SqliteDateTimeLength = 27;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _text = new byte[256];

    public SqliteRowStatement(AppDbContext context, string sql)
    {
        if (context.Database.CurrentTransaction is null || context.Database.GetDbConnection() is not SqliteConnection { Handle: { } db })
        {
            throw new InvalidOperationException("Rows are written inside the caller's transaction on its open SQLite connection.");
        }

        _db = db;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public SqliteRowStatement Bind(int position, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, position, value));
        return this;
    }

    public SqliteRowStatement Bind(int position, bool value) => Bind(position, value ? 1L : 0L);

    public SqliteRowStatement Bind(int position, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, position));
            return this;
        }

        // Encoded into a buffer of this statement's, which SQLite copies: no string of bytes per value.
        if (Encoding.UTF8.GetByteCount(value) is var count && count > _text.Length)
        {
            _text = new byte[Math.Max(count, 2 * _text.Length)];
        }

        var length = Encoding.UTF8.GetBytes(value, _text);
        Check(raw.sqlite3_bind_text(_statement, position, _text.AsSpan(0, length)));
        return this;
    }

    public SqliteRowStatement Bind(int position, DateTime? value)
    {
        if (value is not { } at)
        {
            Check(raw.sqlite3_bind_null(_statement, position));
            return this;
        }

        Span<byte> text = stackalloc byte[SqliteDateTimeLength];
        Check(raw.sqlite3_bind_text(_statement, position, text[..FormatDateTime(at, text)]));
        return this;
    }

    /// <summary>
    /// <paramref name="at"/> as EF Core stores a DateTime in SQLite ("yyyy-MM-dd HH:mm:ss.FFFFFFF": the fraction without its
    /// trailing zeros, and no point when it is zero), so these rows read back and sort like any other. Written by hand:
    /// the framework's custom format took a tenth of the writer's time for 10,000 rows.
    /// </summary>
    public static int FormatDateTime(DateTime at, Span<byte> text)
    {
        Digits(text[..4], at.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), at.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), at.Day);
        text[10] = (byte)' ';
        Digits(text.Slice(11, 2), at.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), at.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), at.Second);
        var fraction = (int)(at.Ticks % TimeSpan.TicksPerSecond);
        if (fraction == 0)
        {
            return 19;
        }

        text[19] = (byte)'.';
        Digits(text.Slice(20, 7), fraction);
        var length = SqliteDateTimeLength;
        while (text[length - 1] == (byte)'0')
        {
            length--;
        }

        return length;
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>Runs the statement with the values bound since the last row; a refusal (a constraint, say) throws as Microsoft.Data.Sqlite does.</summary>
    public void Run()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    /// <summary>Runs an insert as <see cref="Run"/> does and answers the row's id.</summary>
    public long Insert()
    {
        Run();
        return raw.sqlite3_last_insert_rowid(_db);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
