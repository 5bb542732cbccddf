using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Alerts;

/// <summary>The alerts part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class AlertsEndpoints
{
    public static ApiGroups MapAlerts(this ApiGroups groups)
    {
        var manage = groups.Manage;

        manage.MapGet("/pools/{productCode}/thresholds", async (int orgId, string productCode, Alerts.AlertQueries alerts, CancellationToken ct) =>
            TypedResults.Ok(await alerts.Thresholds(orgId, productCode, ct)))
            .WithSummary("The pool's alert levels, each with what it means in entitlements today.");

        manage.MapPut("/pools/{productCode}/thresholds", async (int orgId, string productCode, Alerts.ThresholdsRequest body, Alerts.SetThresholds set, CancellationToken ct) =>
            TypedResults.Ok(await set.Handle(orgId, productCode, body, ct)))
            .WithSummary("Sets the pool's alert levels ({ available } or { percentOfPurchased }); the pool is checked against them at once.");

        manage.MapGet("/alerts", async (int orgId, string? state, Alerts.AlertQueries alerts, CancellationToken ct) =>
            TypedResults.Ok(await alerts.List(orgId, state, ct)))
            .WithSummary("The organization's alerts, newest first: state=open (default) or all.");

        manage.MapGet("/alerts/count", async (int orgId, Alerts.AlertQueries alerts, Requests.RequestQueries requests, CancellationToken ct) =>
        {
            var (open, asked) = (await alerts.OpenCount(orgId, ct), await requests.OpenCount(orgId, ct));
            return TypedResults.Ok(new { open = open + asked, alerts = open, requests = asked });
        }).WithSummary("How many alerts and requests are open (the bell's figure: open is both).");

        manage.MapGet("/alert-settings", async (int orgId, Alerts.AlertQueries alerts, CancellationToken ct) => TypedResults.Ok(await alerts.Settings(orgId, ct)))
            .WithSummary("How many days before its start a live event missing entitlements raises an alert.");

        manage.MapPut("/alert-settings", async (int orgId, Alerts.AlertSettingsRequest body, Alerts.SetAlertSettings set, CancellationToken ct) =>
            TypedResults.Ok(await set.Handle(orgId, body, ct)))
            .WithSummary("Sets the warning window (uncoveredSoonDays, 1 to 365); the organization's events are checked against it at once.");

        return groups;
    }
}
