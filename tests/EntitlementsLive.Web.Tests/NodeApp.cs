namespace EntitlementsLive.Web.Tests;

/// <summary>One of several app hosts ("nodes") on one database (file or PostgreSQL), with its own name and any further settings.</summary>
public sealed class NodeApp(string database, string name, IReadOnlyDictionary<string, string>? settings = null) : AppFactory(database)
{
    protected override IDictionary<string, string> Settings
    {
        get
        {
            var all = new Dictionary<string, string>
            {
                ["Node:Name"] = name,
                ["Jobs:Recurring"] = "false",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                all[key] = value;
            }

            return all;
        }
    }
}
