using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using EntitlementsLive.Web.Demo;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EntitlementsLive.Web.Tests;

public sealed record LiveMessage(string Type, JsonElement Payload)
{
    public long Sequence => Payload.GetProperty("sequence").GetInt64();

    public int OrgId => Payload.GetProperty("orgId").GetInt32();
}

/// <summary>A real HubConnection to the test server, recording every message it receives.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private static readonly string[] Types = ["PoolBalanceChanged", "EventCoverageChanged", "MissingEntitlementsChanged", "TransactionRecorded", "AlertRaised", "AlertResolved", "EntitlementRequestChanged"];
    private readonly Channel<LiveMessage> _inbox = Channel.CreateUnbounded<LiveMessage>();

    private readonly HashSet<(string Type, long Sequence)> _lost = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _held = new();
    private Func<LiveMessage, bool>? _lose;

    private LiveClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var type in Types)
        {
            connection.On<JsonElement>(type, payload => Deliver(new LiveMessage(type, payload.Clone())));
        }

        connection.On<JsonElement>("Heartbeat", payload => OnHeartbeat(payload.Clone()));
    }

    public HubConnection Connection { get; }

    /// <summary>Whether a heartbeat naming a sequence past what this screen holds makes it resume, as the browser's does.</summary>
    public bool ResumesOnHeartbeat { get; set; }

    /// <summary>How many heartbeats arrived (they are not in <see cref="Received"/>).</summary>
    public int Heartbeats => Volatile.Read(ref _heartbeats);

    /// <summary>How many messages were lost on the way on purpose (<see cref="Lose"/>).</summary>
    public int Lost { get { lock (_lost) { return _lost.Count; } } }

    private int _heartbeats;

    /// <summary>From now on, the first delivery of each message matching <paramref name="match"/> is lost on the way; a replay gets through.</summary>
    public void Lose(Func<LiveMessage, bool> match)
    {
        lock (_lost)
        {
            _lose = match;
        }
    }

    private void Deliver(LiveMessage message)
    {
        lock (_lost)
        {
            if (_lose is { } lose && lose(message) && _lost.Add((message.Type, message.Sequence)))
            {
                return;
            }
        }

        _held.AddOrUpdate(message.OrgId, message.Sequence, (_, held) => Math.Max(held, message.Sequence));
        _inbox.Writer.TryWrite(message);
    }

    private void OnHeartbeat(JsonElement heartbeat)
    {
        Interlocked.Increment(ref _heartbeats);
        if (!ResumesOnHeartbeat)
        {
            return;
        }

        foreach (var position in heartbeat.GetProperty("positions").EnumerateArray())
        {
            var org = position.GetProperty("orgId").GetInt32();
            if (_held.TryGetValue(org, out var held) && position.GetProperty("sequence").GetInt64() > held)
            {
                _ = Connection.InvokeAsync<JsonElement>("Resume", org, held);
            }
        }
    }

    public List<LiveMessage> Received { get; } = [];

    public static async Task<LiveClient> Connect(AppFactory app, string email)
    {
        var connection = (await Builder(app, email)).Build();
        var client = new LiveClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <summary>A hub connection of the test server, signed in as <paramref name="email"/> (a bearer token, long polling).</summary>
    public static async Task<IHubConnectionBuilder> Builder(AppFactory app, string email)
    {
        using var http = app.CreateClient();
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        return new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "hubs/entitlements"), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult(token);
            });
    }

    /// <summary>Waits for the first message matching <paramref name="match"/>; keeps everything received on the way.</summary>
    public async Task<LiveMessage> WaitFor(Func<LiveMessage, bool> match, int timeoutMs = 30_000)
    {
        var found = Received.FirstOrDefault(match);
        if (found is not null)
        {
            return found;
        }

        using var timeout = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            var message = await _inbox.Reader.ReadAsync(timeout.Token);
            Received.Add(message);
            if (match(message))
            {
                return message;
            }
        }
    }

    public Task<LiveMessage> WaitFor(string type, Func<JsonElement, bool>? match = null) =>
        WaitFor(m => m.Type == type && (match is null || match(m.Payload)));

    /// <summary>
    /// Proves an absence without sleeping: waits for <paramref name="sentinel"/>, a message the caller made the
    /// server send after the action under test, and returns everything that arrived before it. Messages to one
    /// connection arrive in the order they were sent, so anything the action leaked would be in this list.
    /// </summary>
    public async Task<List<LiveMessage>> Before(Func<LiveMessage, bool> sentinel)
    {
        var found = await WaitFor(sentinel);
        return Received.TakeWhile(m => !ReferenceEquals(m, found)).ToList();
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
