using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using EntitlementsLive.Domain;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace EntitlementsLive.Web.Tests;

/// <summary>Honest logs: a refused request is an answer, logged at its own level, never as an error.</summary>
[Collection(AppCollection.Name)]
public sealed class LogTests : IDisposable
{
    private readonly LoggedApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Refusals_409_404_422_LogNoError_ButAReal500Does()
    {
        var (api, orgId, eventId) = await _app.ApiAdminOf(subscriptions: 1);
        _app.Sink.Events.Clear();

        var conflict = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new { productCode = ProductCodes.Subscription, quantity = 5, idempotencyKey = "k" });
        var notFound = await api.GetAsync($"/api/orgs/{orgId}/events/999999/entitlements");
        var invalid = await api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new { productCode = ProductCodes.Subscription, quantity = -1, idempotencyKey = "k2" });
        var unreadable = await api.PostAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        var race = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            api.PostAsJsonAsync($"/api/orgs/{orgId}/events/{eventId}/transfers", new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = "same" })));

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity),
            (conflict.StatusCode, notFound.StatusCode, invalid.StatusCode, unreadable.StatusCode));
        Assert.Single(race, r => r.StatusCode == HttpStatusCode.Created);
        Assert.DoesNotContain(_app.Sink.Events, e => e.Level >= LogEventLevel.Error);

        // The sentinel: a real failure (a table gone from this test's own database) is still an error,
        // so the capture above could have seen one.
        await _app.WithDb(db => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, """DROP TABLE "IntegrationKeys" """));
        var failed = await api.GetAsync($"/api/orgs/{orgId}/integration-keys");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains(_app.Sink.Events, e => e.Level >= LogEventLevel.Error);

        // Every line names its node, so several nodes' logs read as one.
        Assert.All(_app.Sink.Events, e => Assert.Equal("\"log-node\"", e.Properties["Node"].ToString()));
    }

    private sealed class LoggedApp : AppFactory
    {
        public CaptureSink Sink { get; } = new();

        protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Node:Name"] = "log-node" };

        protected override void ReplaceServices(IServiceCollection services)
        {
            services.AddSingleton<ILogEventSink>(Sink);
        }
    }

    public sealed class CaptureSink : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }
}
