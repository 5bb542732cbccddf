using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Bench;
using EntitlementsLive.Web.Demo;

// The crash and reconnect suites load both cores on purpose; the in-process suites bound live pushes in time.
// They run one after the other rather than side by side, so neither is a noisy neighbour of the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The app as a child process (Release build, real Kestrel) on a demo-data file in a folder of its own, for the
/// suites that kill it or cut its connections; and API clients signed in to it.
/// </summary>
public sealed class ChildApp : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "entitlementslive-child", Guid.NewGuid().ToString("N"));

    public ChildApp()
    {
        Directory.CreateDirectory(_directory);
        Database = TestDatabase.IsPostgreSql ? TestDatabase.New() : Path.Combine(_directory, "app.db");
    }

    /// <summary>The app's database: a file in this folder, or a PostgreSQL database of its own.</summary>
    public string Database { get; }

    /// <summary>Starts the app on this folder's file (seeded on the first start, reopened on later ones).</summary>
    public Task<AppProcess> StartAsync() =>
        AppProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "EntitlementsLive.Web.dll"), Database,
            "--Database:SeedDemoData=true " + (TestDatabase.IsPostgreSql ? TestDatabase.Arguments(Database) : ""));

    public static async Task<string> Token(string baseUrl, string email)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public static async Task<HttpClient> Client(AppProcess app, string email)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(app.BaseUrl, email));
        return client;
    }

    /// <summary>The id of one of the caller's organizations, by name.</summary>
    public static async Task<int> OrganizationId(HttpClient api, string name) =>
        (await api.GetFromJsonAsync<JsonElement>("/api/orgs")).EnumerateArray().Single(o => o.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    public void Dispose()
    {
        if (TestDatabase.IsPostgreSql)
        {
            TestDatabase.Drop(Database);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held: the temporary folder is cleaned by the system.
        }
    }
}
