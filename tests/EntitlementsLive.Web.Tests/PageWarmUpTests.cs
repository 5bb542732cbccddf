using System.Net;
using EntitlementsLive.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EntitlementsLive.Web.Tests;

/// <summary>A starting node renders the first tabs once, as an administrator, before /health/ready says yes.</summary>
[Collection(AppCollection.Name)]
public sealed class PageWarmUpTests
{
    [Fact]
    public async Task AStartingNode_RendersTheFirstTabs_AsTheLargestOrganizationsAdministrator_BeforeItIsReady()
    {
        using var app = new WarmingApp();
        using var client = app.CreateClient();
        var warmUp = app.Services.GetRequiredService<PageWarmUp>();
        await warmUp.Done.WaitAsync(TimeSpan.FromSeconds(60));

        // Every tab answered as it answers a signed-in administrator: no sign-in redirect, no refusal, no error.
        var pages = warmUp.Rendered.Select(r => r.Path).Distinct().ToList();
        Assert.Equal(2 * pages.Count, warmUp.Rendered.Count);
        Assert.Contains(pages, p => p.EndsWith("/Entitlements/Events", StringComparison.Ordinal));
        Assert.All(warmUp.Rendered, r => Assert.Equal(200, r.Status));
        var organization = int.Parse(pages[0].Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
        var largest = await app.WithDb(db => Task.FromResult(db.Events.GroupBy(e => e.OrganizationId).OrderByDescending(g => g.Count()).Select(g => g.Key).First()));
        Assert.Equal(largest, organization);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ADatabaseWithNoOrganization_IsReadyWithoutRenderingAnything()
    {
        using var app = new WarmingApp(seed: false);
        using var client = app.CreateClient();
        var warmUp = app.Services.GetRequiredService<PageWarmUp>();
        await warmUp.Done.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(warmUp.Rendered);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private sealed class WarmingApp(bool seed = true) : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["WarmUp:Pages"] = "true",
            ["WarmUp:Rounds"] = "2",
            ["Database:SeedDemoData"] = seed ? "true" : "false",
            ["Jobs:Recurring"] = "false",
        };
    }
}
