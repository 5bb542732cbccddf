using System.Text;
using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace EntitlementsLive.Web.Features.Webhooks;

public sealed record WebhookRequest(string? Url, IReadOnlyList<string?>? Events);

public sealed record WebhookDto(int Id, string Url, IReadOnlyList<string> Events, string CreatedBy, DateTime CreatedAt);

/// <summary>A new webhook and its signing secret, shown this once.</summary>
public sealed record CreatedWebhookDto(int Id, string Url, IReadOnlyList<string> Events, string Secret);

/// <summary>One attempt of a delivery: when, the receiver's status code or the error, how long it took.</summary>
public sealed record AttemptDto(DateTime At, int? StatusCode, string? Error, int DurationMs);

public sealed record DeliveryDto(long Id, string EventType, DeliveryStatus Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime CreatedAt, DateTime? NextAttemptAt, DateTime? DeliveredAt);

/// <summary>Starts a delivery's next attempt (Hangfire in the app), now or after a delay.</summary>
public interface IWebhookScheduler
{
    string Schedule(long deliveryId, TimeSpan delay);

    bool IsHeld(string? jobId);
}

/// <summary>The events a webhook can subscribe to, and the hub message each one carries.</summary>
public static class WebhookEvents
{
    public static readonly IReadOnlyDictionary<string, string> ByMessageType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [MessageTypes.AlertRaised] = "alert.raised",
        [MessageTypes.AlertResolved] = "alert.resolved",
        [MessageTypes.TransactionRecorded] = "transaction.recorded",
        [MessageTypes.EventCoverageChanged] = "event.coverage-changed",
    };

    public const string RequestOpened = "entitlement-request.opened";
    public const string RequestResolved = "entitlement-request.resolved";

    public static IReadOnlyCollection<string> All => [.. ByMessageType.Values, RequestOpened, RequestResolved];

    /// <summary>The webhook event an outbox row is, if any: a request's is opened or resolved by the state it carries.</summary>
    public static string? Of(OutboxMessage row)
    {
        if (row.Type != MessageTypes.EntitlementRequestChanged)
        {
            return ByMessageType.GetValueOrDefault(row.Type);
        }

        using var payload = System.Text.Json.JsonDocument.Parse(row.Payload);
        return payload.RootElement.GetProperty("request").GetProperty("status").GetString() == "open" ? RequestOpened : RequestResolved;
    }

    /// <summary>The body sent: the Standard Webhooks envelope around the message screens receive.</summary>
    public static string Body(string type, DateTime at, string data) =>
        $"{{\"type\":\"{type}\",\"timestamp\":\"{TableExport.Instant(at)}\",\"data\":{data}}}";

    /// <summary>The Standard Webhooks message id: the same on every attempt and redelivery of one delivery.</summary>
    public static string MessageId(long deliveryId) => FormattableString.Invariant($"msg_{deliveryId}");
}

/// <summary>An organization's webhooks: create (secret shown once), list, delete, and each one's deliveries with redelivery.</summary>
public sealed class ManageWebhooks(AppDbContext db, TimeProvider clock, IDataProtectionProvider protection, IOptions<WebhookOptions> options,
    IWebhookScheduler scheduler, AuditTrail audit)
{
    public const int MaxPerOrganization = 10;

    public const string Purpose = "EntitlementsLive.Webhooks.Secret";

    public async Task<CreatedWebhookDto> Create(int organizationId, WebhookRequest request, string actor, CancellationToken ct)
    {
        var check = new Validation();
        if (WebhookTargets.Problem(request.Url) is { } problem)
        {
            check.Add("url", problem);
        }

        var events = new List<string>();
        foreach (var e in request.Events ?? [])
        {
            if (e is null || !WebhookEvents.All.Contains(e))
            {
                check.Add("events", $"{e ?? "null"} is not an event; choose among {string.Join(", ", WebhookEvents.All)}.");
            }
            else if (!events.Contains(e))
            {
                events.Add(e);
            }
        }

        if (events.Count == 0 && request.Events is not { Count: > 0 })
        {
            check.Add("events", $"Subscribe to at least one event: {string.Join(", ", WebhookEvents.All)}.");
        }

        check.ThrowIfInvalid();
        var url = new Uri(request.Url!);
        if (!options.Value.AllowPrivateNetworks)
        {
            string? refused;
            try
            {
                refused = (await WebhookTargets.AllowedAddressesAsync(url.Host, allowPrivate: false, ct)).Length == 0
                    ? $"{url.Host} is a private, loopback or reserved address, which webhooks may not reach." : null;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ArgumentException)
            {
                refused = $"{url.Host} does not resolve.";
            }

            if (refused is not null)
            {
                throw Validation.Invalid("url", refused);
            }
        }

        if (await db.WebhookEndpoints.CountAsync(w => w.OrganizationId == organizationId && w.DeletedAt == null, ct) >= MaxPerOrganization)
        {
            throw Validation.Invalid("url", $"An organization has at most {MaxPerOrganization} webhooks; delete one first.");
        }

        var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var endpoint = new WebhookEndpoint
        {
            OrganizationId = organizationId,
            Url = url.AbsoluteUri,
            Events = string.Join(',', events),
            ProtectedSecret = protection.CreateProtector(Purpose).Protect(secret),
            CreatedBy = actor,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.WebhookEndpoints.Add(endpoint);
        audit.Add(organizationId, AuditAction.WebhookCreated, endpoint.Url, string.Join(", ", events));
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return new CreatedWebhookDto(endpoint.Id, endpoint.Url, events, secret);
    }

    public async Task<IReadOnlyList<WebhookDto>> List(int organizationId, CancellationToken ct) =>
        (await db.WebhookEndpoints.AsNoTracking().Where(w => w.OrganizationId == organizationId && w.DeletedAt == null).OrderBy(w => w.Id).ToListAsync(ct))
        .ConvertAll(ToDto);

    public async Task Delete(int organizationId, int webhookId, CancellationToken ct)
    {
        var endpoint = await Find(organizationId, webhookId, ct);
        endpoint.DeletedAt = clock.GetUtcNow().UtcDateTime;
        audit.Add(organizationId, AuditAction.WebhookDeleted, endpoint.Url);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
    }

    public async Task<(WebhookDto Webhook, IReadOnlyList<DeliveryDto> Deliveries)> Deliveries(int organizationId, int webhookId, CancellationToken ct)
    {
        var endpoint = await Find(organizationId, webhookId, ct);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == webhookId).OrderByDescending(d => d.Id).Take(200)
            .Select(d => new DeliveryDto(d.Id, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.NextAttemptAt, d.DeliveredAt))
            .ToListAsync(ct);
        return (ToDto(endpoint), deliveries);
    }

    /// <summary>Every attempt of one delivery, oldest first.</summary>
    public async Task<IReadOnlyList<AttemptDto>> Attempts(int organizationId, int webhookId, long deliveryId, CancellationToken ct)
    {
        await Find(organizationId, webhookId, ct);
        if (!await db.WebhookDeliveries.AnyAsync(d => d.Id == deliveryId && d.EndpointId == webhookId, ct))
        {
            throw Validation.NotFound("The delivery");
        }

        return await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == deliveryId).OrderBy(a => a.Id)
            .Select(a => new AttemptDto(a.At, a.StatusCode, a.Error, a.DurationMs)).ToListAsync(ct);
    }

    /// <summary>The attempts of many deliveries at once, for the deliveries page.</summary>
    public async Task<ILookup<long, AttemptDto>> AttemptsOf(IReadOnlyCollection<long> deliveryIds, CancellationToken ct) =>
        (await db.WebhookAttempts.AsNoTracking().Where(a => deliveryIds.Contains(a.DeliveryId)).OrderBy(a => a.Id)
            .Select(a => new { a.DeliveryId, Attempt = new AttemptDto(a.At, a.StatusCode, a.Error, a.DurationMs) }).ToListAsync(ct))
        .ToLookup(a => a.DeliveryId, a => a.Attempt);

    /// <summary>Sends a delivery again (the same message id, so a receiver that deduplicates sees one event), with a fresh 24 hours.</summary>
    public async Task<DeliveryDto> Redeliver(int organizationId, int webhookId, long deliveryId, CancellationToken ct)
    {
        await Find(organizationId, webhookId, ct);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == webhookId, ct)
            ?? throw Validation.NotFound("The delivery");
        if (delivery.Status == DeliveryStatus.Pending)
        {
            throw Validation.Invalid("deliveryId", "This delivery is still being sent (with its retries); it can be sent again once it succeeded or failed.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        delivery.Status = DeliveryStatus.Pending;
        delivery.GiveUpAt = now.AddHours(options.Value.RetryHours);
        delivery.NextAttemptAt = now;
        audit.Add(organizationId, AuditAction.WebhookRedelivered, FormattableString.Invariant($"delivery {deliveryId}"), delivery.EventType);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        delivery.JobId = scheduler.Schedule(delivery.Id, TimeSpan.Zero);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return new DeliveryDto(delivery.Id, delivery.EventType, delivery.Status, delivery.Attempts, delivery.LastStatusCode, delivery.LastError,
            delivery.CreatedAt, delivery.NextAttemptAt, delivery.DeliveredAt);
    }

    private async Task<WebhookEndpoint> Find(int organizationId, int webhookId, CancellationToken ct) =>
        await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == webhookId && w.OrganizationId == organizationId && w.DeletedAt == null, ct)
        ?? throw Validation.NotFound("The webhook");

    private static WebhookDto ToDto(WebhookEndpoint w) => new(w.Id, w.Url, w.Events.Split(',', StringSplitOptions.RemoveEmptyEntries), w.CreatedBy, w.CreatedAt);
}

/// <summary>
/// Webhooks are queued from the outbox: each committed message a webhook subscribes to becomes one delivery (unique per
/// webhook and sequence, so a drain that runs again after a restart adds nothing), scheduled at once.
/// </summary>
public sealed partial class WebhookFanout(AppDbContext db, TimeProvider clock, IOptions<WebhookOptions> options, IWebhookScheduler scheduler,
    ILogger<WebhookFanout> log) : IOutboxObserver
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} webhook deliveries of organization {OrganizationId} are stored but not scheduled; the requeue job will")]
    private static partial void LogNotScheduled(ILogger logger, int organizationId, int count, Exception ex);

    public async Task ObserveAsync(int organizationId, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        if (!rows.Any(r => WebhookEvents.ByMessageType.ContainsKey(r.Type) || r.Type == MessageTypes.EntitlementRequestChanged))
        {
            return;
        }

        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => w.OrganizationId == organizationId && w.DeletedAt == null).ToListAsync(ct);
        if (endpoints.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var deliveries = new List<WebhookDelivery>();
        foreach (var row in rows)
        {
            if (WebhookEvents.Of(row) is not { } type)
            {
                continue;
            }

            foreach (var endpoint in endpoints.Where(e => row.CreatedAt >= e.CreatedAt && e.Events.Split(',').Contains(type)))
            {
                deliveries.Add(new WebhookDelivery
                {
                    OrganizationId = organizationId, EndpointId = endpoint.Id, Sequence = row.Sequence, EventType = type,
                    Payload = WebhookEvents.Body(type, row.CreatedAt, row.Payload), CreatedAt = now, GiveUpAt = now.AddHours(options.Value.RetryHours), NextAttemptAt = now,
                });
            }
        }

        if (deliveries.Count == 0)
        {
            return;
        }

        // A drain that runs again (after a restart) finds its deliveries there already.
        var sequences = deliveries.Select(d => d.Sequence).Distinct().ToList();
        var endpointIds = endpoints.Select(e => e.Id).ToList();
        var existing = (await db.WebhookDeliveries.AsNoTracking().Where(d => endpointIds.Contains(d.EndpointId) && sequences.Contains(d.Sequence))
            .Select(d => new { d.EndpointId, d.Sequence }).ToListAsync(ct)).Select(d => (d.EndpointId, d.Sequence)).ToHashSet();
        var fresh = deliveries.Where(d => !existing.Contains((d.EndpointId, d.Sequence))).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        db.WebhookDeliveries.AddRange(fresh);
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        try
        {
            foreach (var delivery in fresh)
            {
                delivery.JobId = scheduler.Schedule(delivery.Id, TimeSpan.Zero);
            }

            await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stored, not scheduled (the job storage is down): the requeue job schedules them; screens are not held up.
            LogNotScheduled(log, organizationId, fresh.Count, ex);
        }
    }
}

/// <summary>
/// One attempt of one delivery, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). A 2xx
/// answer delivers it; anything else schedules the next attempt with exponential back-off until its 24 hours run out.
/// </summary>
public sealed partial class DeliverWebhook(AppDbContext db, TimeProvider clock, IHttpClientFactory http, IDataProtectionProvider protection,
    IOptions<WebhookOptions> options, IWebhookScheduler scheduler, ILogger<DeliverWebhook> log)
{
    public async Task Handle(long deliveryId, CancellationToken ct)
    {
        // Claim the delivery: one attempt at a time, whoever scheduled it (a retry, the requeue, a redelivery).
        var now = clock.GetUtcNow();
        var at = now.UtcDateTime;
        var lease = at.AddSeconds(options.Value.TimeoutSeconds + 30);
        var claimed = await db.WriteAsync(() => db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending && (d.LeaseUntil == null || d.LeaseUntil < at))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.LeaseUntil, lease).SetProperty(d => d.Attempts, d => d.Attempts + 1), ct), ct);
        if (claimed == 0)
        {
            return;
        }

        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId, ct);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleAsync(w => w.Id == delivery.EndpointId, ct);
        var permanent = false;
        var started = clock.GetTimestamp();
        if (endpoint.DeletedAt is not null)
        {
            (permanent, delivery.LastStatusCode, delivery.LastError) = (true, null, "The webhook was deleted.");
        }
        else
        {
            try
            {
                await Send(endpoint, delivery, now, ct);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // The keys that protected the secret are gone: no attempt can ever be signed again.
                (permanent, delivery.LastStatusCode, delivery.LastError) = (true, null, "The webhook's signing secret can no longer be read; add the webhook again.");
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                delivery.LastStatusCode = null;
                delivery.LastError = ex.Message.Length > 500 ? ex.Message[..500] : ex.Message;
            }
        }

        delivery.LeaseUntil = null;
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id, At = at, StatusCode = delivery.LastStatusCode, Error = delivery.LastError,
            DurationMs = (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds),
        });
        TimeSpan? retry = null;
        if (delivery.LastError is null)
        {
            (delivery.Status, delivery.DeliveredAt, delivery.NextAttemptAt) = (DeliveryStatus.Succeeded, at, null);
        }
        else if (permanent || at >= delivery.GiveUpAt)
        {
            Telemetry.WebhookAttemptsFailed.Add(1, Telemetry.NodeTag);
            Telemetry.WebhookDeliveriesFailed.Add(1, Telemetry.NodeTag);
            (delivery.Status, delivery.NextAttemptAt) = (DeliveryStatus.Failed, null);
            LogGaveUp(log, delivery.Id, endpoint.Url, delivery.Attempts);
        }
        else
        {
            Telemetry.WebhookAttemptsFailed.Add(1, Telemetry.NodeTag);
            retry = TimeSpan.FromSeconds(Math.Min(3_600, options.Value.RetryBaseSeconds * Math.Pow(2, Math.Min(delivery.Attempts - 1, 20))));
            delivery.NextAttemptAt = at + retry;
        }

        // Saved before the next attempt is scheduled, so that attempt finds this one finished.
        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        if (retry is { } delay)
        {
            delivery.JobId = scheduler.Schedule(delivery.Id, delay);
            await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        }
    }

    private async Task Send(WebhookEndpoint endpoint, WebhookDelivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var secret = protection.CreateProtector(ManageWebhooks.Purpose).Unprotect(endpoint.ProtectedSecret);
        var id = WebhookEvents.MessageId(delivery.Id);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(secret).Sign(id, now, delivery.Payload));
        using var response = await http.CreateClient(WebhookTargets.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        delivery.LastStatusCode = (int)response.StatusCode;
        delivery.LastError = response.IsSuccessStatusCode ? null : $"The receiver answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Url} failed {Attempts} times over its retry window; it is marked failed")]
    private static partial void LogGaveUp(ILogger logger, long deliveryId, string url, int attempts);
}

/// <summary>
/// Pending deliveries whose job is gone (a restart of in-memory job storage) are scheduled again: the delivery table,
/// not the job storage, is the source of truth.
/// </summary>
public sealed class RequeueWebhookDeliveries(AppDbContext db, TimeProvider clock, IWebhookScheduler scheduler)
{
    public async Task<int> Handle(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = now.AddSeconds(-30);
        var pending = await db.WebhookDeliveries
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= due && (d.LeaseUntil == null || d.LeaseUntil < now))
            .Take(1_000).ToListAsync(ct);
        var requeued = 0;
        foreach (var delivery in pending.Where(d => !scheduler.IsHeld(d.JobId)))
        {
            if (now >= delivery.GiveUpAt)
            {
                (delivery.Status, delivery.NextAttemptAt, delivery.LastError) = (DeliveryStatus.Failed, null, delivery.LastError ?? "No attempt could run within the retry window.");
                continue;
            }

            delivery.JobId = scheduler.Schedule(delivery.Id, TimeSpan.Zero);
            requeued++;
        }

        await db.WriteAsync(() => db.SaveChangesAsync(ct), ct);
        return requeued;
    }
}
