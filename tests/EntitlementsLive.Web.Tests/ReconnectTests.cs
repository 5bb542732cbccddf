using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EntitlementsLive.Bench;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Demo;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// Twenty screens, each behind its own flaky link that drops at random (connections reset, the link down for up
/// to three seconds), for a minute of transfers and purchases. Each screen follows the browser's rules (newest
/// per key, resume from its last sequence, render a transaction once); at the end every one of them shows the
/// database's figures and every transaction, once.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ReconnectTests(ITestOutputHelper output) : IDisposable
{
    private const int Screens = 20;
    private const int TeamScreens = 4;
    private readonly ChildApp _child = new();

    private static TimeSpan Duration => TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("RECONNECT_SECONDS"), out var s) ? s : 60);

    [Fact]
    public async Task ScreensDroppingAtRandom_ConvergeOnTheDatabase_AndShowEachTransactionOnce()
    {
        await using var app = await _child.StartAsync();
        using var admin = await ChildApp.Client(app, "admin@acme.test");
        using var ops = await ChildApp.Client(app, "ops@platform.test");
        var acme = await ChildApp.OrganizationId(admin, "Acme Events");
        var events = (await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{acme}/events?status=live")).EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).ToList();
        var summit = (await admin.GetFromJsonAsync<JsonElement>($"/api/orgs/{acme}/events?status=live")).EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "Acme Summit 2026").GetProperty("id").GetInt32();
        (await ops.PostAsJsonAsync($"/api/orgs/{acme}/purchases", new { productCode = ProductCodes.Subscription, quantity = 100_000, reference = "LIVE", idempotencyKey = "live-purchase" })).EnsureSuccessStatusCode();

        // The screens open while nothing moves, as a page reads its figures and its sequence together.
        var screens = new List<Screen>();
        for (var i = 0; i < Screens; i++)
        {
            var email = i < TeamScreens ? "team@acme.test" : "admin@acme.test";
            var screen = await Screen.Open(app, email, acme, i < TeamScreens ? null : await Pools(admin, acme));
            screen.Coverage[summit] = await Coverage(admin, acme, summit);
            screens.Add(screen);
        }

        var startSequence = screens[^1].LastSequence;
        using var stop = new CancellationTokenSource(Duration);
        var random = new Random(20261129);
        var chaos = screens.Select((s, i) => Chaos(s.Link, new Random(random.Next()), stop.Token)).ToList();
        var sent = await Load(admin, ops, acme, events, stop.Token);
        await Task.WhenAll(chaos);

        // Converge: every screen reaches the organization's last sequence (team screens: their event's last change).
        var last = await LastSequence(app, acme);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && screens.Skip(TeamScreens).Any(s => s.LastSequence < last))
        {
            await Task.Delay(200);
        }

        var pools = await Pools(admin, acme);
        var coverage = await Coverage(admin, acme, summit);
        var transactions = await TransactionIds(admin, acme, startSequence);
        var failures = new List<string>();
        foreach (var (screen, i) in screens.Select((s, i) => (s, i)))
        {
            if (i >= TeamScreens)
            {
                if (screen.LastSequence != last)
                {
                    failures.Add($"screen {i} stopped at sequence {screen.LastSequence} of {last}");
                }

                foreach (var (product, figures) in pools.Where(p => screen.Pools.GetValueOrDefault(p.Key) != p.Value))
                {
                    failures.Add($"screen {i} shows {product} as {screen.Pools.GetValueOrDefault(product)} instead of {figures}");
                }

                var missing = transactions.Except(screen.Shown).Count();
                var extra = screen.Shown.Except(transactions).Count();
                if (missing + extra > 0)
                {
                    failures.Add($"screen {i} misses {missing} transactions and shows {extra} unknown ones");
                }
            }

            if (screen.Coverage.GetValueOrDefault(summit, "") != coverage)
            {
                failures.Add($"screen {i} shows the summit as {screen.Coverage.GetValueOrDefault(summit, "nothing")} instead of {coverage}");
            }

            if (screen.RenderedTwice > 0)
            {
                failures.Add($"screen {i} rendered {screen.RenderedTwice} transactions twice");
            }
        }

        output.WriteLine($"screens: {Screens} ({TeamScreens} event team); {Duration.TotalSeconds:0} s; transfers and purchases sent: {sent}; transactions: {transactions.Count}; " +
                         $"drops: {screens.Sum(s => s.Link.Outages)}; reconnects: {screens.Sum(s => s.Reconnects)}; resumes replayed {screens.Sum(s => s.Replayed)} messages; " +
                         $"duplicate deliveries ignored: {screens.Sum(s => s.DuplicatesIgnored)}; reloads: {screens.Sum(s => s.Reloads)}; converged: {Screens - failures.Select(f => f.Split(' ')[1]).Distinct().Count()} of {Screens}");
        foreach (var screen in screens)
        {
            await screen.DisposeAsync();
        }

        Assert.True(transactions.Count > 100, $"only {transactions.Count} transactions in {Duration}");
        Assert.True(screens.Sum(s => s.Reconnects) >= Screens, "the links hardly dropped");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    /// <summary>Transfers of one subscription to the live events, and a purchase now and then, until the minute is over.</summary>
    private static async Task<int> Load(HttpClient admin, HttpClient ops, int org, List<int> events, CancellationToken stop)
    {
        var sent = 0;
        var random = new Random(7);
        while (!stop.IsCancellationRequested)
        {
            var response = sent % 25 == 24
                ? await ops.PostAsJsonAsync($"/api/orgs/{org}/purchases", new { productCode = ProductCodes.Subscription, quantity = 10, reference = "PO-" + sent, idempotencyKey = Guid.NewGuid().ToString("N") }, CancellationToken.None)
                : await admin.PostAsJsonAsync($"/api/orgs/{org}/events/{events[random.Next(events.Count)]}/transfers",
                    new { productCode = ProductCodes.Subscription, quantity = 1, idempotencyKey = Guid.NewGuid().ToString("N") }, CancellationToken.None);
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            sent++;
            await Task.Delay(random.Next(10, 60), CancellationToken.None);
        }

        return sent;
    }

    private static async Task Chaos(FlakyLink link, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(random.Next(1_000, 6_000), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            link.Outage(TimeSpan.FromMilliseconds(random.Next(0, 3_000)));
        }

        link.Outage(TimeSpan.Zero);
    }

    private static async Task<Dictionary<string, string>> Pools(HttpClient api, int org) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{org}/pools")).EnumerateArray()
        .ToDictionary(p => p.GetProperty("productCode").GetString()!, Screen.PoolFigures, StringComparer.Ordinal);

    private static async Task<string> Coverage(HttpClient api, int org, int eventId) =>
        Screen.CoverageFigures(await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{org}/events/{eventId}/entitlements"));

    private static async Task<HashSet<long>> TransactionIds(HttpClient api, int org, long afterSequence)
    {
        var ids = new HashSet<long>();
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/api/orgs/{org}/transactions?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var t in page.GetProperty("items").EnumerateArray().Where(t => t.GetProperty("sequence").GetInt64() > afterSequence))
            {
                ids.Add(t.GetProperty("id").GetInt64());
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return ids;
    }

    private static async Task<long> LastSequence(AppProcess app, int org)
    {
        await using var probe = await Screen.Open(app, "admin@acme.test", org, new Dictionary<string, string>(StringComparer.Ordinal));
        return probe.LastSequence;
    }

    public void Dispose() => _child.Dispose();

    /// <summary>A screen as live.js keeps it: newest figures per key, its last sequence, each transaction rendered once.</summary>
    private sealed class Screen : IAsyncDisposable
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, long> _newest = new(StringComparer.Ordinal);
        private readonly HashSet<long> _shown = [];
        private readonly int _org;
        private readonly HubConnection _connection;

        private Screen(HubConnection connection, FlakyLink link, int org, Dictionary<string, string>? pools)
        {
            _connection = connection;
            _org = org;
            Link = link;
            Pools = pools ?? new Dictionary<string, string>(StringComparer.Ordinal);
            connection.On<JsonElement>("PoolBalanceChanged", m => Apply("pool:" + m.GetProperty("productCode").GetString(), m, () => Pools[m.GetProperty("productCode").GetString()!] = PoolFigures(m)));
            connection.On<JsonElement>("EventCoverageChanged", m => Apply("event:" + m.GetProperty("eventId").GetInt32(), m, () => Coverage[m.GetProperty("eventId").GetInt32()] = CoverageFigures(m)));
            connection.On<JsonElement>("MissingEntitlementsChanged", m => Apply("missing", m, () => { }));
            connection.On<JsonElement>("TransactionRecorded", OnTransaction);
            connection.Reconnecting += _ =>
            {
                // As live.js: a resume that never finished keeps its starting point; otherwise the stream was complete up to now.
                lock (_gate)
                {
                    _resumeFrom ??= LastSequence;
                }

                return Task.CompletedTask;
            };
            connection.Reconnected += async _ =>
            {
                Interlocked.Increment(ref _reconnects);
                await Resume();
            };
        }

        private int _reconnects;
        private long? _resumeFrom;

        public FlakyLink Link { get; }

        public long LastSequence { get; private set; }

        public Dictionary<string, string> Pools { get; }

        public ConcurrentDictionary<int, string> Coverage { get; } = new();

        public IReadOnlyCollection<long> Shown
        {
            get
            {
                lock (_gate)
                {
                    return [.. _shown];
                }
            }
        }

        public int RenderedTwice { get; private set; }

        public int DuplicatesIgnored { get; private set; }

        public int Reconnects => _reconnects;

        public int Replayed { get; private set; }

        public int Reloads { get; private set; }

        public static string PoolFigures(JsonElement p) => $"{p.GetProperty("purchased").GetInt64()}/{p.GetProperty("transferred").GetInt64()}/{p.GetProperty("available").GetInt64()}";

        public static string CoverageFigures(JsonElement e) => string.Join(";", e.GetProperty("products").EnumerateArray()
            .Select(p => $"{p.GetProperty("productCode").GetString()}={p.GetProperty("required").GetInt64()}/{p.GetProperty("allocated").GetInt64()}").Order(StringComparer.Ordinal));

        public static async Task<Screen> Open(AppProcess app, string email, int org, Dictionary<string, string>? pools)
        {
            var token = await ChildApp.Token(app.BaseUrl, email);
            var link = FlakyLink.To(new Uri(app.BaseUrl).Port);
            var connection = new HubConnectionBuilder()
                .WithUrl($"http://127.0.0.1:{link.Port}/hubs/entitlements", o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                })
                .WithAutomaticReconnect(new Forever())
                .WithStatefulReconnect()
                .Build();
            var screen = new Screen(connection, link, org, pools);
            await connection.StartAsync();
            await screen.Resume(long.MaxValue);
            return screen;
        }

        /// <summary>What live.js does on (re)connecting: ask for what it missed since its last sequence.</summary>
        private async Task Resume(long? after = null)
        {
            try
            {
                long from;
                lock (_gate)
                {
                    from = after ?? _resumeFrom ?? LastSequence;
                }

                var result = await _connection.InvokeAsync<JsonElement>("Resume", _org, from);
                lock (_gate)
                {
                    _resumeFrom = null;
                    Replayed += result.GetProperty("replayed").GetInt32();
                    if (after is not null)
                    {
                        LastSequence = Math.Max(LastSequence, result.GetProperty("lastSequence").GetInt64());
                    }
                    else if (result.GetProperty("reloadRequired").GetBoolean())
                    {
                        Reloads++;
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The link dropped again during the resume: the next reconnect resumes again.
            }
        }

        private void Apply(string key, JsonElement message, Action render)
        {
            var sequence = message.GetProperty("sequence").GetInt64();
            lock (_gate)
            {
                LastSequence = Math.Max(LastSequence, sequence);
                if (sequence <= _newest.GetValueOrDefault(key))
                {
                    DuplicatesIgnored++;
                    return;
                }

                _newest[key] = sequence;
                render();
            }
        }

        private void OnTransaction(JsonElement message)
        {
            var id = message.GetProperty("transaction").GetProperty("id").GetInt64();
            lock (_gate)
            {
                LastSequence = Math.Max(LastSequence, message.GetProperty("sequence").GetInt64());
                if (!_shown.Add(id))
                {
                    DuplicatesIgnored++;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _connection.DisposeAsync();
            Link.Dispose();
        }

        private sealed class Forever : IRetryPolicy
        {
            public TimeSpan? NextRetryDelay(RetryContext context) => TimeSpan.FromMilliseconds(Math.Min(2_000, 200 * (1 << (int)Math.Min(context.PreviousRetryCount, 4))));
        }
    }

    /// <summary>A loopback TCP relay that can cut its connections (reset, not closed) and refuse new ones for a while.</summary>
    private sealed class FlakyLink : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentDictionary<Socket, byte> _open = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly int _target;
        private long _downUntil;
        private int _outages;

        private FlakyLink(int target)
        {
            _target = target;
            _listener.Start();
            _ = Accept();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Outages => _outages;

        public static FlakyLink To(int port) => new(port);

        /// <summary>Resets every open connection and refuses new ones for <paramref name="length"/>.</summary>
        public void Outage(TimeSpan length)
        {
            if (length > TimeSpan.Zero)
            {
                Interlocked.Increment(ref _outages);
            }

            Interlocked.Exchange(ref _downUntil, Environment.TickCount64 + (long)length.TotalMilliseconds);
            if (length > TimeSpan.Zero)
            {
                foreach (var socket in _open.Keys)
                {
                    Reset(socket);
                }
            }
        }

        private async Task Accept()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket inbound;
                try
                {
                    inbound = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                if (Environment.TickCount64 < Interlocked.Read(ref _downUntil))
                {
                    Reset(inbound);
                    continue;
                }

                var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, _target);
                }
                catch (SocketException)
                {
                    Reset(inbound);
                    continue;
                }

                _open[inbound] = 0;
                _open[outbound] = 0;
                _ = Pump(inbound, outbound);
                _ = Pump(outbound, inbound);
            }
        }

        private async Task Pump(Socket from, Socket to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            Reset(from);
            Reset(to);
        }

        private void Reset(Socket socket)
        {
            _open.TryRemove(socket, out _);
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var socket in _open.Keys)
            {
                Reset(socket);
            }

            _stop.Dispose();
        }
    }
}
