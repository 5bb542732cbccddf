using System.Text.Json;
using System.Text.Json.Serialization;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Features.Shared;

/// <summary>
/// How the JSON contract of API.md spells things, for the API, the hub, the outbox and stored batches alike:
/// camelCase names, enums as lower-case strings with hyphens between words ("purchase", "live", "module",
/// "participant-changes"), roles as their names ("OrganizationAdministrator"). Inside C#, kinds, roles and statuses are enums.
/// </summary>
public static class JsonContract
{
    /// <summary>How an enum value is spelled in the contract (and in pages, exports and stored batches).</summary>
    public static readonly JsonNamingPolicy EnumNames = JsonNamingPolicy.KebabCaseLower;

    // Declared after EnumNames: static fields initialize in order.
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        // Strict input: a number is a JSON number (never "5"); a property given twice is refused rather than
        // the last one silently winning; a property the contract does not name is refused rather than ignored
        // (a misspelt "quantitiy" would otherwise transfer what the event is missing).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // The first converter that fits wins: roles keep their names, every other enum is kebab-case.
        options.Converters.Add(new JsonStringEnumConverter<Role>(allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter(EnumNames, allowIntegerValues: false));
        return options;
    }
}
