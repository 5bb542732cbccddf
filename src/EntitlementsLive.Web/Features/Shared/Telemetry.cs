using System.Diagnostics.Metrics;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// The app's own metrics (OpenTelemetry, exposed for Prometheus at /metrics): what an operator of several nodes watches.
/// Each measurement carries the node's name.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "EntitlementsLive";

    public static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Set once at start-up (Node:Name, the machine's name by default).</summary>
    public static string Node { get; set; } = Environment.MachineName;

    public static readonly Histogram<double> CommitToPush = Meter.CreateHistogram<double>(
        "entitlementslive.live.commit_to_push", "ms", "From a change's commit to its push to the screens, per outbox message.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000] });

    public static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>(
        "entitlementslive.live.connections", "{connection}", "Live (hub) connections open on this node.");

    public static readonly Counter<long> WebhookAttemptsFailed = Meter.CreateCounter<long>(
        "entitlementslive.webhooks.attempts_failed", "{attempt}", "Webhook attempts that got no 2xx answer (each is retried until its window ends).");

    public static readonly Counter<long> WebhookDeliveriesFailed = Meter.CreateCounter<long>(
        "entitlementslive.webhooks.deliveries_failed", "{delivery}", "Webhook deliveries given up on (their 24 hours ran out, or they can never be sent).");

    public static readonly Counter<long> LeaseTaken = Meter.CreateCounter<long>(
        "entitlementslive.outbox.lease_taken", "{lease}", "Times this node took the outbox lease (on PostgreSQL one node drains at a time).");

    public static KeyValuePair<string, object?> NodeTag => new("node", Node);
}
