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

    private LiveClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var type in Types)
        {
            connection.On<JsonElement>(type, payload => _inbox.Writer.TryWrite(new LiveMessage(type, payload.Clone())));
        }
    }

    public HubConnection Connection { get; }

    public List<LiveMessage> Received { get; } = [];

    public static async Task<LiveClient> Connect(AppFactory app, string email)
    {
        using var http = app.CreateClient();
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "hubs/entitlements"), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult(token);
            })
            .Build();
        var client = new LiveClient(connection);
        await connection.StartAsync();
        return client;
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
