using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Counts a request's database commands and the time they took (their execution), for the
/// <c>db</c> entry of its Server-Timing header: where a page's time goes, seen in dev tools and in the benchmark.
/// </summary>
public sealed class QueryTiming : DbCommandInterceptor
{
    private static readonly AsyncLocal<Tally?> Current = new();

    /// <summary>One request's commands so far.</summary>
    public sealed class Tally
    {
        private long _ticks;
        private int _commands;

        public int Commands => Volatile.Read(ref _commands);

        public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

        internal void Add(TimeSpan duration)
        {
            Interlocked.Increment(ref _commands);
            Interlocked.Add(ref _ticks, duration.Ticks);
        }
    }

    /// <summary>Starts counting for the calling flow (a request) and returns its tally.</summary>
    public static Tally Begin() => Current.Value = new Tally();

    // A reader's figure is its execution, as EF's own "Executed DbCommand (N ms)" log counts it: on SQLite the first
    // step, where the query's search and sort happen; reading the rows after it is the page's own time.
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Current.Value?.Add(eventData.Duration);
        return ValueTask.FromResult(result);
    }
}
