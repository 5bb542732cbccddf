using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EntitlementsLive.Web.Data;

/// <summary>
/// Reads an entity from a plain row by the EF Core model's own mapping: its table, its columns, each property's
/// member and value converter (the UTC instants, the enums). For the write path's hottest read, where EF Core built and
/// prepared a command per call (a profile of 8 writers put the event read with its products at 38 % of the writer):
/// with these, the statement is plain and kept prepared (<see cref="Sql.KeepPrepared"/>), and what it reads stays
/// exactly what the model maps. WriteQueryTests holds it to EF Core's own reading, property by property.
/// </summary>
public sealed class ModelRows<T> where T : class
{
    private readonly Func<DbDataReader, T> _read;
    private readonly string _table;
    private readonly string _columns;
    private readonly IEntityType _type;
    private readonly ConcurrentDictionary<string, string> _selects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IClrCollectionAccessor> _collections = new(StringComparer.Ordinal);

    internal ModelRows(IModel model)
    {
        var type = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        _type = type;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var properties = type.GetProperties().Where(p => !p.IsShadowProperty()).ToList();
        if (properties.Count != type.GetProperties().Count())
        {
            throw new NotSupportedException($"{typeof(T).Name} has shadow properties, which a plain row cannot give back.");
        }

        _table = Quote(table.Name);
        _columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(table)!)));
        _read = Compile(properties);
    }

    /// <summary>The entity of the row under the reader, a row of <see cref="Select"/>.</summary>
    public T Read(DbDataReader reader) => _read(reader);

    /// <summary>
    /// <c>SELECT</c> of every mapped column <c>FROM</c> the table, then <paramref name="rest"/> (its <c>WHERE</c>, <c>ORDER BY</c>): the same text
    /// every time, so a kept connection prepares it once.
    /// </summary>
    public string Select(string rest) => _selects.GetOrAdd(rest, r => $"SELECT {_columns} FROM {_table} {r}");

    /// <summary>Puts rows read apart into <paramref name="parent"/>'s collection <paramref name="navigation"/>, as EF Core's Include would.</summary>
    public void Include<TChild>(T parent, string navigation, IEnumerable<TChild> children)
    {
        var collection = _collections.GetOrAdd(navigation, n => (_type.FindNavigation(n) ?? throw new InvalidOperationException($"{typeof(T).Name} has no collection {n}."))
            .GetCollectionAccessor() ?? throw new InvalidOperationException($"{typeof(T).Name}.{n} is not a collection."));
        foreach (var child in children)
        {
            collection.Add(parent, child!, forMaterialization: true);
        }
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static Func<DbDataReader, T> Compile(List<IProperty> properties)
    {
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var entity = Expression.Variable(typeof(T), "entity");
        var constructor = typeof(T).GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
            ?? throw new NotSupportedException($"{typeof(T).Name} needs a parameterless constructor (it may be private) to be read from a row.");
        var body = new List<Expression> { Expression.Assign(entity, Expression.New(constructor)) };
        for (var i = 0; i < properties.Count; i++)
        {
            var p = properties[i];
            var member = p.GetMemberInfo(forMaterialization: true, forSet: true);
            if (member is FieldInfo { IsInitOnly: true })
            {
                throw new NotSupportedException($"{typeof(T).Name}.{p.Name} is kept in a read-only field.");
            }

            var ordinal = Expression.Constant(i);
            var mapping = p.GetTypeMapping();
            var converter = mapping.Converter;
            var stored = converter?.ProviderClrType ?? p.ClrType;
            var storedType = Nullable.GetUnderlyingType(stored) ?? stored;
            Expression value = Expression.Call(reader, nameof(DbDataReader.GetFieldValue), [storedType], ordinal);
            if (converter is not null)
            {
                var fromStore = converter.ConvertFromProviderExpression;
                value = Expression.Invoke(fromStore, Expression.Convert(value, fromStore.Parameters[0].Type));
            }

            var memberType = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
            value = Expression.Convert(value, memberType);
            if (p.IsNullable)
            {
                value = Expression.Condition(Expression.Call(reader, nameof(DbDataReader.IsDBNull), null, ordinal), Expression.Default(memberType), value);
            }

            body.Add(Expression.Assign(Expression.MakeMemberAccess(entity, member), value));
        }

        body.Add(entity);
        return Expression.Lambda<Func<DbDataReader, T>>(Expression.Block([entity], body), reader).Compile();
    }
}

/// <summary>The <see cref="ModelRows{T}"/> of each model (one per provider), built once.</summary>
public static class ModelRows
{
    /// <summary>The model's rows of <typeparamref name="T"/> on this context's provider.</summary>
    public static ModelRows<T> Of<T>(DbContext db) where T : class => Built<T>.ByModel.GetOrAdd(db.Model, model => new ModelRows<T>(model));

    private static class Built<T> where T : class
    {
        public static readonly ConcurrentDictionary<IModel, ModelRows<T>> ByModel = new();
    }
}
