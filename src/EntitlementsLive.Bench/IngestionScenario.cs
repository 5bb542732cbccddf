using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EntitlementsLive.Bench;

/// <summary>
/// Participant changes applied per second, in batches of 10,000, and how soon the last coverage is on screen. Run twice:
/// the first pass is the goal's figure; the second, with new change ids on the server that has run the first, shows
/// what the first paid to warm up (the runtime compiles the path's code again, optimized, while the first runs).
/// </summary>
public static class IngestionScenario
{
    public const int BatchSize = 10_000;

    public static async Task Run(BenchOptions o, Report report, World world, AppProcess app, Dictionary<string, string> tokens, int pass)
    {
        var batches = o.IngestionChanges / BatchSize;
        var allEvents = world.Events.SelectMany(kv => kv.Value.Select(e => (Org: kv.Key, Event: e))).ToList();

        // One admin screen per organization, to see when the last coverage update arrives.
        var lastCoverage = new ConcurrentDictionary<int, (DateTime At, int Counted)>();
        var screens = new List<HubConnection>();
        foreach (var org in world.Organizations)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(app.BaseUrl + "/hubs/entitlements", opts =>
                {
                    opts.Transports = HttpTransportType.WebSockets;
                    opts.SkipNegotiation = true;
                    opts.AccessTokenProvider = () => Task.FromResult<string?>(tokens[world.Admins[org]]);
                })
                .Build();
            connection.On<JsonElement>("EventCoverageChanged", m =>
                lastCoverage[m.GetProperty("eventId").GetInt32()] = (Clock.UtcNow, m.GetProperty("countedParticipants").GetInt32()));
            await connection.StartAsync();
            screens.Add(connection);
        }

        // Bodies are built before the clock starts: the figure is the server's, not the JSON writer's.
        var bodies = Enumerable.Range(0, batches).Select(b =>
        {
            var (org, e) = allEvents[b % allEvents.Count];
            var at = Clock.UtcNow;
            var changes = Enumerable.Range(0, BatchSize).Select(i => new
            {
                changeId = $"ing{pass}-{b}-{i}",
                participantRef = $"ing{pass}-{b}-{i / 2}",
                type = i % 2 == 0 ? "added" : "activated",
                occurredAt = at.AddMilliseconds(i).ToString("O"),
            });
            return (Org: org, Event: e, Body: JsonSerializer.SerializeToUtf8Bytes(new { changes }));
        }).ToList();

        using var http = Api.Client(app.BaseUrl, connections: 8);
        var accepted = new ConcurrentBag<(int Org, string BatchId)>();
        var last202 = DateTime.MinValue;
        var clock = Stopwatch.StartNew();
        var startedAt = Clock.UtcNow;
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{batch.Org}/events/{batch.Event}/participant-changes")
            {
                Content = new ByteArrayContent(batch.Body) { Headers = { ContentType = new("application/json") } },
            };
            request.Headers.Authorization = new("Bearer", tokens[world.Admins[batch.Org]]);
            var response = await http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"batch refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }

            var id = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("batchId").GetString()!;
            accepted.Add((batch.Org, id));
            lock (accepted)
            {
                last202 = Clock.UtcNow > last202 ? Clock.UtcNow : last202;
            }
        });
        var acceptSeconds = clock.Elapsed.TotalSeconds;

        // Batches finish roughly in the order they were accepted: ask about the oldest unfinished ones only,
        // so the bench's own polling does not load the server it measures.
        var applied = 0L;
        var pending = accepted.ToList();
        while (pending.Count > 0 && clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(100);
            var still = new List<(int Org, string BatchId)>();
            var asked = 0;
            foreach (var (org, id) in pending)
            {
                if (asked++ >= 4)
                {
                    still.Add((org, id));
                    continue;
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{org}/participant-batches/{id}");
                request.Headers.Authorization = new("Bearer", tokens[world.Admins[org]]);
                var status = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
                if (status.GetProperty("status").GetString() is "done" or "failed")
                {
                    applied += status.GetProperty("applied").GetInt32();
                }
                else
                {
                    still.Add((org, id));
                }
            }

            pending = still;
        }

        var appliedSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000); // the last pushes settle
        var lastPush = lastCoverage.Values.Select(v => v.At).DefaultIfEmpty(DateTime.MinValue).Max();
        foreach (var connection in screens)
        {
            await connection.DisposeAsync();
        }

        if (pass > 1)
        {
            report.Add("ingestion", "second pass, warm server: changes applied per second", applied / appliedSeconds, "per s");
            report.Add("ingestion", "second pass, warm server: last 202 to last pushed coverage update", (lastPush - last202).TotalMilliseconds, "ms");
            report.Add("ingestion", "second pass, warm server: batches not finished", pending.Count, "batches", "0", pending.Count == 0);
            return;
        }

        report.Add("ingestion", $"participant changes applied ({batches} batches of {BatchSize:N0})", applied, "changes");
        report.Add("ingestion", "changes applied per second (first POST to last batch done)", applied / appliedSeconds, "per s", "≥ 100,000/s", applied / appliedSeconds >= 100_000);
        report.Add("ingestion", "batches accepted per second (202s)", batches / acceptSeconds, "per s");
        report.Add("ingestion", "last 202 to last pushed coverage update", (lastPush - last202).TotalMilliseconds, "ms");
        report.Add("ingestion", "batches not finished", pending.Count, "batches", "0", pending.Count == 0);
        report.Detail("ingestionStartedAt", startedAt);
    }
}
