using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EntitlementsLive.Web.Demo;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The data-protection keys live in the database: a bearer token, a session cookie and its anti-forgery token issued by
/// one node are honoured by another node on the same database (two app hosts here, one SQLite file).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SharedKeysTests : IDisposable
{
    private readonly string _database = TestDatabase.New("shared.db");
    private readonly NodeApp _a;
    private readonly NodeApp _b;

    public SharedKeysTests()
    {
        _a = new NodeApp(_database, "node-a");
        _b = new NodeApp(_database, "node-b");
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        TestDatabase.Drop(_database);
    }

    [Fact]
    public async Task TokensAndSessionsFromOneNode_WorkOnAnother()
    {
        // Node A signs in: the key it protects with is written to the shared database.
        using var login = _a.CreateClient();
        var response = await login.PostAsJsonAsync("/api/auth/login", new { email = "admin@acme.test", password = DemoSeeder.Password });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        Assert.True(await _a.WithDb(db => db.DataProtectionKeys.AnyAsync()));

        using var onB = _b.CreateClient();
        onB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/orgs")).StatusCode);

        // A browser session from A, with an anti-forgery token from A, posts a form on B.
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        using var pagesA = _a.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var pagesB = _b.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var loginPage = await Send(pagesA, HttpMethod.Get, "/Account/Login", jar);
        await Send(pagesA, HttpMethod.Post, "/Account/Login", jar, new Dictionary<string, string>
        {
            ["Email"] = "admin@acme.test", ["Password"] = DemoSeeder.Password, ["__RequestVerificationToken"] = Browserless.Token(await loginPage.Content.ReadAsStringAsync()),
        });
        var orgId = await _a.OrgId("Acme Events");
        var page = $"/Orgs/{orgId}/Entitlements/Alerts";
        var fromA = await (await Send(pagesA, HttpMethod.Get, page, jar)).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, (await Send(pagesB, HttpMethod.Get, page, jar)).StatusCode);
        var posted = await Send(pagesB, HttpMethod.Post, page + "?handler=Window", jar,
            new Dictionary<string, string> { ["uncoveredSoonDays"] = "10", ["__RequestVerificationToken"] = Browserless.Token(fromA) });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(10, await _b.WithDb(db => db.Organizations.Where(o => o.Id == orgId).Select(o => o.UncoveredSoonDays).SingleAsync()));
    }

    /// <summary>A request with the jar's cookies; the cookies it sets are kept (what a browser moved between nodes does).</summary>
    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, Dictionary<string, string> jar, Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = form is null ? null : new FormUrlEncodedContent(form) };
        if (jar.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", jar.Select(c => c.Key + "=" + c.Value)));
        }

        var response = await client.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0].Split('=', 2);
            jar[pair[0]] = pair[1];
        }

        return response;
    }
}
