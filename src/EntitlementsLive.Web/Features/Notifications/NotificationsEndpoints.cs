using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Notifications;

/// <summary>The notifications part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class NotificationsEndpoints
{
    public static ApiGroups MapNotifications(this ApiGroups groups)
    {
        var api = groups.Api;

        api.MapGet("/me/notifications", async (CurrentUser me, Notifications.NotificationSettingsStore settings, CancellationToken ct) =>
            TypedResults.Ok(await settings.Get(me.UserId ?? throw new Domain.DomainException(Domain.ErrorCodes.Forbidden, "Only a signed-in person has notifications."), ct)))
            .WithSummary("Which notifications you receive by mail, and whether mail is configured.");

        api.MapPut("/me/notifications", async (Notifications.NotificationSettingsRequest body, CurrentUser me, Notifications.NotificationSettingsStore settings, CancellationToken ct) =>
            TypedResults.Ok(await settings.Set(me.UserId ?? throw new Domain.DomainException(Domain.ErrorCodes.Forbidden, "Only a signed-in person has notifications."), body, ct)))
            .WithSummary("Chooses which notifications you receive by mail: alertRaised, alertResolved, requests.");

        return groups;
    }
}
