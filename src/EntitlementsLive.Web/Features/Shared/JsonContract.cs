using System.Text.Json;
using System.Text.Json.Serialization;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// How the JSON contract of API.md spells things, for the API, the hub, the outbox and stored batches alike:
/// camelCase names, enums as strings in lower camel case ("purchase", "live", "module", "done"), roles as
/// their names ("OrganizationAdministrator"). Inside C#, kinds, roles and statuses are enums.
/// </summary>
public static class JsonContract
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        // The first converter that fits wins: roles keep their names, every other enum is camelCase.
        options.Converters.Add(new JsonStringEnumConverter<Role>(allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }
}
