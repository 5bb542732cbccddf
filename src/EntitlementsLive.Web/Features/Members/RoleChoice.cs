using System.Globalization;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Members;

/// <summary>
/// A role as the members page's menus offer it: a role's name, or <c>EventTeam:{eventId}</c> for one event's team.
/// Written and read here only; the use cases validate the role and the event as the API sends them.
/// </summary>
public readonly record struct RoleChoice(string? Role, int? EventId)
{
    private const char Separator = ':';

    public static RoleChoice Parse(string? choice) =>
        choice?.Split(Separator) is [var role, var id] && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
            ? new RoleChoice(role, eventId)
            : new RoleChoice(choice, null);

    /// <summary>The menu's value for a role (and, for an event's team, its event).</summary>
    public static string Of(Role role, int? eventId = null) =>
        role == Domain.Role.EventTeam ? FormattableString.Invariant($"{role}{Separator}{eventId}") : role.ToString();
}
