using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace EntitlementsLive.Web.Infrastructure;

public static class AppRoot
{
    /// <summary>The repository root (where EntitlementsLive.sln is) when run from source, else the output folder.</summary>
    public static string Locate(string contentRoot)
    {
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EntitlementsLive.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return AppContext.BaseDirectory;
    }

    public static void Apply(WebApplicationBuilder builder, string root)
    {
        // First in the list, so environment variables, the command line and tests override it.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = false,
            ReloadOnChange = false,
            FileProvider = new PhysicalFileProvider(root),
        });

        var webRoot = Path.Combine(root, "wwwroot");
        builder.Environment.WebRootPath = webRoot;
        builder.Environment.WebRootFileProvider = new PhysicalFileProvider(webRoot);
    }
}
