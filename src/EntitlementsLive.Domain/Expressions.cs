using System.Linq.Expressions;

namespace EntitlementsLive.Domain;

/// <summary>
/// Small helpers so a rule written once as an expression serves both in memory (compiled) and in a
/// database query (translated), without a second spelling of the rule.
/// </summary>
public static class Expressions
{
    /// <summary>Fixes the second argument of a rule; the value stays a query parameter, not a literal.</summary>
    public static Expression<Func<T, bool>> Bind<T, TArg>(Expression<Func<T, TArg, bool>> rule, TArg value)
    {
        var holder = new Holder<TArg>(value);
        var argument = Expression.Property(Expression.Constant(holder), nameof(Holder<TArg>.Value));
        var body = new Replace(rule.Parameters[1], argument).Visit(rule.Body)!;
        return Expression.Lambda<Func<T, bool>>(body, rule.Parameters[0]);
    }

    public static Expression<Func<T, bool>> Not<T>(Expression<Func<T, bool>> rule) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(rule.Body), rule.Parameters);

    public static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right)
    {
        var body = new Replace(right.Parameters[0], left.Parameters[0]).Visit(right.Body)!;
        return Expression.Lambda<Func<T, bool>>(Expression.AndAlso(left.Body, body), left.Parameters);
    }

    private sealed record Holder<TValue>(TValue Value);

    private sealed class Replace(Expression from, Expression to) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node) => node == from ? to : base.Visit(node);
    }
}
