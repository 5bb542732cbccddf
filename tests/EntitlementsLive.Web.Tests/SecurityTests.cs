using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EntitlementsLive.Web.Tests;

/// <summary>Headers on every kind of response, and the sign-in rate limit.</summary>
[Collection(AppCollection.Name)]
public class SecurityTests(AppFactory app)
{
    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/")]
    [InlineData("/api/orgs")]
    [InlineData("/health/ready")]
    [InlineData("/hubs/entitlements/negotiate?negotiateVersion=1")]
    [InlineData("/css/site.css")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = path.StartsWith("/hubs", StringComparison.Ordinal) ? await client.PostAsync(path, null) : await client.GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only over HTTPS");
    }

    [Fact]
    public async Task Pages_HaveNoInlineScriptOrStyle()
    {
        var acme = await app.OrgId("Acme Events");
        var summit = (await app.EventNamed("Acme Summit 2026")).Id;
        var visits = new Dictionary<string, string[]>
        {
            ["admin@acme.test"] =
            [
                "/", $"/Orgs/{acme}/Entitlements", $"/Orgs/{acme}/Entitlements/Events", $"/Orgs/{acme}/Entitlements/Integrations", $"/Orgs/{acme}/Members",
                $"/Orgs/{acme}/Entitlements/History", $"/Orgs/{acme}/Entitlements/Transfer?eventId={summit}", $"/Orgs/{acme}/Events/{summit}",
            ],
            ["ops@platform.test"] = ["/Ops", "/Ops/Products", "/Ops/Purchases", "/Ops/Adjustments"],
        };
        foreach (var (user, paths) in visits)
        {
            using var pages = await app.PagesAs(user);
            foreach (var path in paths.Append("/Account/Forgot"))
            {
                var html = await pages.GetStringAsync(path);
                Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", html);
                Assert.DoesNotMatch("\\sstyle=\"|\\son[a-z]+=\"", html);
            }
        }
    }

    [Fact]
    public async Task SignIn_IsRateLimitedPerAddress_OnTheApiAndThePage()
    {
        await using var limited = new LimitedApp();
        using var client = limited.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add((await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@nowhere.test", password = "wrong" })).StatusCode);
        }

        var refused = await client.PostAsJsonAsync("/api/auth/login", new { email = "admin@acme.test", password = Demo.DemoSeeder.Password });
        var page = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "a@b.c", ["Password"] = "x" }));

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("too-many-requests", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
    }

    private sealed class LimitedApp : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["SignIn:PermitsPerMinute"] = "3", ["Jobs:Recurring"] = "false" };
    }
}

/// <summary>The API explorer: Scalar over the OpenAPI document, served by the app itself.</summary>
[Collection(AppCollection.Name)]
public class ApiDocsTests(AppFactory app)
{
    [Fact]
    public async Task Explorer_ServesItsOwnScript_OverADocumentThatExplainsTheBearerSignIn_WithExamples()
    {
        using var client = app.CreateClient();
        var html = await client.GetStringAsync("/api/docs");
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, src => Assert.DoesNotContain("//", src.Replace("http://localhost/", "/", StringComparison.Ordinal), StringComparison.Ordinal));
        foreach (var src in scripts)
        {
            var script = await client.GetAsync(new Uri(new Uri("http://localhost/api/docs/"), src));
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Contains("/api/auth/login", bearer.GetProperty("description").GetString(), StringComparison.Ordinal);
        var transfer = document.GetProperty("paths").EnumerateObject().Single(p => p.Name.EndsWith("/transfers", StringComparison.Ordinal)).Value.GetProperty("post");
        Assert.Equal("SUBSCRIPTION", transfer.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("productCode").GetString());
        var changes = document.GetProperty("paths").EnumerateObject().Single(p => p.Name.EndsWith("/participant-changes", StringComparison.Ordinal)).Value.GetProperty("post");
        Assert.Equal(3, changes.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("changes").GetArrayLength());
    }
}
