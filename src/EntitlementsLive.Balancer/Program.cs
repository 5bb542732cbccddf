using Yarp.ReverseProxy.Configuration;

// The load balancer of scripts/cluster: one address in front of every node. Round robin for new visitors, then session
// affinity (a cookie), so a SignalR connection's negotiate and its WebSocket reach the same node; a node that fails its
// readiness check gets no new visitors, and those pinned to it move to a healthy node (their sign-in and anti-forgery
// tokens work there: the keys are shared in the database).
//   dotnet EntitlementsLive.Balancer.dll --urls http://127.0.0.1:5090 --Nodes=http://127.0.0.1:5081,http://127.0.0.1:5082
var builder = WebApplication.CreateBuilder(args);
var nodes = (builder.Configuration["Nodes"] ?? "http://127.0.0.1:5081,http://127.0.0.1:5082")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

builder.Services.AddReverseProxy().LoadFromMemory(
    [
        // The browser's own Host goes through unchanged: the nodes check a WebSocket's Origin against it, and write
        // links with it. X-Forwarded-For and -Proto carry the client's address and scheme (the nodes trust loopback).
        new RouteConfig
        {
            RouteId = "all",
            ClusterId = "nodes",
            Match = new RouteMatch { Path = "{**path}" },
            Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
        },
    ],
    [
        new ClusterConfig
        {
            ClusterId = "nodes",
            LoadBalancingPolicy = "RoundRobin",
            SessionAffinity = new SessionAffinityConfig
            {
                Enabled = true,
                Policy = "Cookie",
                FailurePolicy = "Redistribute",
                AffinityKeyName = "EntitlementsLive.Node",
                Cookie = new SessionAffinityCookieConfig { HttpOnly = true, SameSite = SameSiteMode.Lax, SecurePolicy = CookieSecurePolicy.SameAsRequest },
            },
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(1),
                    Timeout = TimeSpan.FromSeconds(2),
                    Policy = "ConsecutiveFailures",
                    Path = "/health/ready",
                },
                Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = TimeSpan.FromSeconds(5) },
            },
            Destinations = nodes.Select((url, i) => (url, i)).ToDictionary(n => $"node-{(char)('a' + n.i)}", n => new DestinationConfig { Address = n.url }),
        },
    ]);

var app = builder.Build();
// Each node's /metrics is scraped on the node itself, never through the public address.
app.Map("/metrics/{**rest}", () => Results.NotFound());
app.MapReverseProxy();
app.Run();
