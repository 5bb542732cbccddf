using Npgsql;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Where a test app keeps its data: a SQLite file of its own (the default), or, when the suite runs with
/// ENTITLEMENTS_TEST_DATABASE=PostgreSql, a PostgreSQL database of its own on the server ENTITLEMENTS_TEST_POSTGRES
/// names (CI starts one). Every suite runs unchanged on either.
/// </summary>
public static class TestDatabase
{
    public static bool IsPostgreSql { get; } = Environment.GetEnvironmentVariable("ENTITLEMENTS_TEST_DATABASE") == "PostgreSql";

    private static string Server => Environment.GetEnvironmentVariable("ENTITLEMENTS_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55432;Username=postgres";

    /// <summary>A new database: an absolute, unique SQLite path, or a unique PostgreSQL database name.</summary>
    public static string New(string file = "test.db") => IsPostgreSql
        ? "el_test_" + Guid.NewGuid().ToString("N")[..20]
        : Path.Combine(Path.GetTempPath(), "entitlementslive-tests", Guid.NewGuid().ToString("N"), file);

    /// <summary>The app's settings for <paramref name="database"/> (created and migrated by the app's first start).</summary>
    public static Dictionary<string, string> Settings(string database) => IsPostgreSql
        // Jobs stay in memory as on SQLite: the suites drive them in process (the cluster suite runs them on PostgreSQL).
        ? new() { ["Database:Provider"] = "PostgreSql", ["ConnectionStrings:Entitlements"] = ConnectionString(database), ["Jobs:Storage"] = "InMemory" }
        : new() { ["Database:Path"] = database };

    /// <summary>The same settings as command-line arguments, for an app started as a child process.</summary>
    public static string Arguments(string database) => string.Join(' ', Settings(database).Select(s => $"--{s.Key}={s.Value}"));

    public static string ConnectionString(string database) => $"{Server};Database={database}";

    /// <summary>A connection to <paramref name="database"/> for reading it directly (read-only on SQLite).</summary>
    public static async Task<System.Data.Common.DbConnection> OpenAsync(string database)
    {
        System.Data.Common.DbConnection connection = IsPostgreSql
            ? new NpgsqlConnection(ConnectionString(database) + ";Pooling=false")
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Removes the database once its apps are gone (a file still held is left to the system's temp cleaning).</summary>
    public static void Drop(string database)
    {
        if (IsPostgreSql)
        {
            using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            connection.Open();
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            command.ExecuteNonQuery();
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection: the temp folder is cleaned by the OS.
        }
    }
}
