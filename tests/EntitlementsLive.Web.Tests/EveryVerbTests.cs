using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Every HTTP verb to every page and endpoint the app maps, as every role (signed in with a cookie and a valid
/// anti-forgery token, and with a bearer token): a refusal or an answer, never a 5xx. Runs on its own database, since
/// some of what it sends is accepted (a sign-out, an empty plan).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EveryVerbTests(ITestOutputHelper output)
{
    private static readonly string[] Verbs = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>The roles in an order where what one does (a sign-out, a removed membership) hides nothing from the next.</summary>
    private static readonly string?[] Users = [null, "team@acme.test", "admin@globex.test", AppFactory.AcmeManager, "ops@platform.test", "admin@acme.test"];

    [Fact]
    public async Task EveryVerb_ToEveryPageAndEndpoint_AsEveryRole_NeverAnswers5xx()
    {
        using var app = new AppFactory();
        await app.EnsureAcmeManager();
        var routes = await Routes(app);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var sent = 0;

        // Everyone signs in first: the requests below include sign-in forms, which the sign-in rate limit counts.
        var clients = new List<(string? Email, HttpClient Client, string Token)>();
        foreach (var email in Users)
        {
            var client = await app.PagesAs(email);
            if (email is not null)
            {
                using var api = await app.ApiAs(email);
                client.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
            }

            clients.Add((email, client, Browserless.Token(await client.GetStringAsync(email is null ? "/Account/Login" : "/"))));
        }

        foreach (var (email, client, token) in clients)
        {
            using var _ = client;
            foreach (var path in routes)
            {
                foreach (var verb in Verbs)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(verb), path);
                    if (verb is "POST" or "PUT" or "PATCH")
                    {
                        request.Content = path.StartsWith("/api/", StringComparison.Ordinal)
                            ? new StringContent("{}", Encoding.UTF8, "application/json")
                            : new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
                    }

                    using var response = await client.SendAsync(request);
                    sent++;
                    var status = (int)response.StatusCode;
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    if (status >= 500)
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        failures.Add($"{verb} {path} as {email ?? "anonymous"}: {status} {(body.Length > 200 ? body[..200] : body)}");
                    }
                }
            }
        }

        output.WriteLine($"{routes.Count} routes × {Verbs.Length} verbs × {Users.Length} roles = {sent} requests; by status: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(routes.Count >= 80, $"only {routes.Count} routes: {string.Join(", ", routes)}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests answered 5xx:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>Every route the app maps, its parameters filled with the demo data's rows; the sign-out last.</summary>
    private static async Task<List<string>> Routes(AppFactory app)
    {
        var values = await app.WithDb(async db =>
        {
            var acme = await db.Organizations.Where(o => o.Name == "Acme Events").Select(o => o.Id).SingleAsync();
            var summit = await db.Events.Where(e => e.Name == "Acme Summit 2026").Select(e => e.Id).SingleAsync();
            return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["orgId"] = acme.ToString(CultureInfo.InvariantCulture),
                ["eventId"] = summit.ToString(CultureInfo.InvariantCulture),
                ["productCode"] = ProductCodes.Subscription,
                ["code"] = ProductCodes.Subscription,
            };
        });

        var sources = app.Services.GetRequiredService<EndpointDataSource>();
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            var segments = endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { IsCatchAll: true } => "x",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => values.GetValueOrDefault(parameter.Name, "1"),
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                _ => "",
            })));
            var path = "/" + string.Join('/', segments);
            paths.Add(path);
        }

        return [.. paths.Where(p => !p.Contains("Logout", StringComparison.OrdinalIgnoreCase)), .. paths.Where(p => p.Contains("Logout", StringComparison.OrdinalIgnoreCase))];
    }
}
