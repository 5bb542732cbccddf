namespace EntitlementsLive.Bench;

/// <summary>
/// Where the bench keeps its data: a SQLite file (the default), or with <c>--provider PostgreSql</c> a database of that name
/// on the server scripts/bench starts on loopback (BENCH_POSTGRES), so both providers print the same table.
/// </summary>
public static class BenchDatabase
{
    public static string Provider { get; set; } = "Sqlite";

    public static bool IsPostgreSql => Provider == "PostgreSql";

    /// <summary>The PostgreSQL connection string standing for a bench "file": one database per file name and run.</summary>
    public static string ConnectionString(string file)
    {
        var server = Environment.GetEnvironmentVariable("BENCH_POSTGRES")
            ?? throw new InvalidOperationException("--provider PostgreSql needs BENCH_POSTGRES (scripts/bench sets it)");
        var name = "bench_" + Path.GetFileNameWithoutExtension(file).Replace('-', '_') + "_" + (uint)StringComparer.Ordinal.GetHashCode(Path.GetDirectoryName(file) ?? "");
        return server + ";Database=" + name;
    }

    /// <summary>The settings that put an app (in this process or a child) on <paramref name="file"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(string file) => IsPostgreSql
        ? [new("Database:Provider", "PostgreSql"), new("ConnectionStrings:Entitlements", ConnectionString(file))]
        : [new("Database:Path", file)];
}
