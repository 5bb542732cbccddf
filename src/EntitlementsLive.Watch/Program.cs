using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

// Signs in and prints every live message as it arrives: for ops and for debugging.
//   scripts/watch --email admin@acme.test [--password ...] [--url http://127.0.0.1:5080] [--json] [--messagepack]
var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: scripts/watch --email EMAIL [--password PASSWORD | env EL_PASSWORD] [--url URL] [--json] [--messagepack]");
    return 2;
}

using var http = new HttpClient { BaseAddress = new Uri(options.Url) };
var login = await http.PostAsJsonAsync("/api/auth/login", new { email = options.Email, password = options.Password });
if (!login.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"sign-in failed: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
    return 1;
}

var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
http.DefaultRequestHeaders.Authorization = new("Bearer", token);
var organizations = await http.GetFromJsonAsync<JsonElement>("/api/orgs");
var orgIds = organizations.EnumerateArray().Select(o => o.GetProperty("id").GetInt32()).ToList();
var last = orgIds.ToDictionary(id => id, _ => 0L);

var builder = new HubConnectionBuilder()
    .WithUrl(new Uri(new Uri(options.Url), "/hubs/entitlements"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
    .WithAutomaticReconnect()
    .WithStatefulReconnect();
if (options.MessagePack)
{
    // The binary protocol: the same messages, their keys the server's C# names (read here as the JSON protocol's).
    builder.AddMessagePackProtocol();
}

var connection = builder.Build();

foreach (var type in new[] { "PoolBalanceChanged", "EventCoverageChanged", "MissingEntitlementsChanged", "TransactionRecorded", "AlertRaised", "AlertResolved", "EntitlementRequestChanged" })
{
    connection.On<object>(type, received =>
    {
        var message = Payload.Of(received);
        var org = message.GetProperty("orgId").GetInt32();
        var sequence = message.GetProperty("sequence").GetInt64();
        long held;
        lock (last)
        {
            held = last.GetValueOrDefault(org);
            last[org] = Math.Max(held, sequence);
        }

        // "previous" past what this watch holds: a message was lost on the way (Redis restarted, say); resume from there.
        if (message.TryGetProperty("previous", out var previous) && previous.ValueKind == JsonValueKind.Number)
        {
            ResumeIfBehind(org, held, previous.GetInt64(), $"gap before seq={sequence}");
        }

        var time = TimeProvider.System.GetLocalNow().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Console.WriteLine(options.Json
            ? JsonSerializer.Serialize(new { receivedAt = time, type, message })
            : $"{time} {type,-27} org={org} seq={sequence} {message.GetRawText()}");
    });
}

// Sent when nothing else came for a while: the latest sequence pushed to this watch of each organization it follows.
// One past what the watch holds means the last message before the quiet was lost: resume from what it holds.
connection.On<object>("Heartbeat", received =>
{
    var heartbeat = Payload.Of(received);
    foreach (var position in heartbeat.GetProperty("positions").EnumerateArray())
    {
        var org = position.GetProperty("orgId").GetInt32();
        var sequence = position.GetProperty("sequence").GetInt64();
        long held;
        lock (last)
        {
            held = last.GetValueOrDefault(org);
        }

        ResumeIfBehind(org, held, sequence, $"heartbeat at seq={sequence}");
    }
});

// A sequence pushed to this watch past what it holds (and it holds something: a fresh watch only follows what comes).
void ResumeIfBehind(int org, long held, long pushed, string why)
{
    if (pushed > held && held > 0)
    {
        _ = Task.Run(async () =>
        {
            var result = Payload.Of(await connection.InvokeAsync<object>("Resume", org, held));
            Console.Error.WriteLine($"{why}; resumed org={org} after={held}: {result.GetRawText()}");
        });
    }
}

// Where each resume starts: the last sequence of a stream known to be complete. Messages that arrive on the new
// connection before the resume has run do not move it (they would hide what was missed in between); a resume
// that did not finish keeps its starting point for the next one.
Dictionary<int, long>? resumeFrom = null;
connection.Reconnecting += _ =>
{
    lock (last)
    {
        resumeFrom ??= new Dictionary<int, long>(last);
    }

    Console.Error.WriteLine("reconnecting…");
    return Task.CompletedTask;
};
connection.Reconnected += async _ =>
{
    Console.Error.WriteLine("reconnected; resuming");
    foreach (var (org, sequence) in resumeFrom ?? [])
    {
        var result = Payload.Of(await connection.InvokeAsync<object>("Resume", org, sequence));
        Console.Error.WriteLine($"resume org={org} after={sequence}: {result.GetRawText()}");
    }

    resumeFrom = null;
};

await connection.StartAsync();
Console.Error.WriteLine($"live as {options.Email} on {options.Url} ({(options.MessagePack ? "MessagePack" : "JSON")}); organizations: {string.Join(", ", orgIds)}. Ctrl+C to stop.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
await connection.DisposeAsync();
return 0;

internal sealed record Args(string Url, string Email, string Password, bool Json, bool MessagePack)
{
    public static Args? Parse(string[] args)
    {
        string url = "http://127.0.0.1:5080", email = "", password = Environment.GetEnvironmentVariable("EL_PASSWORD") ?? "";
        bool json = false, messagePack = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length: url = args[++i]; break;
                case "--email" when i + 1 < args.Length: email = args[++i]; break;
                case "--password" when i + 1 < args.Length: password = args[++i]; break;
                case "--json": json = true; break;
                case "--messagepack": messagePack = true; break;
                default: return null;
            }
        }

        return email.Length == 0 || password.Length == 0 ? null : new Args(url, email, password, json, messagePack);
    }
}

/// <summary>A message as JSON whichever protocol brought it: MessagePack's maps (keys as the C# names) read as the JSON protocol's camelCase.</summary>
internal static class Payload
{
    public static JsonElement Of(object? received) => received is JsonElement json ? json : JsonSerializer.SerializeToElement(Plain(received));

    private static object? Plain(object? value) => value switch
    {
        System.Collections.IDictionary map => map.Keys.Cast<object>().ToDictionary(key => CamelCase(Convert.ToString(key, CultureInfo.InvariantCulture) ?? ""), key => Plain(map[key])),
        string or null => value,
        DateTime at => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => items.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };

    private static string CamelCase(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
