using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Forecasts;

namespace EntitlementsLive.Web.Features.Organizations;

/// <summary>
/// The operations home: every organization, the account manager's list of those whose pools are projected short of their
/// live events' need, and the key the new-organization form is rendered with; with the words it says after a change.
/// </summary>
public sealed record OpsScreen(IReadOnlyList<Organization> Organizations, IReadOnlyList<OrganizationForecastDto> Shortfalls, string IdempotencyKey)
{
    public static string Created(CreateOrganizationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"{result.Organization.Name} is created. Activate its entitlements when its contract is in.";
    }

    public static string Activated(OrganizationSummary organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return $"Entitlements of {organization.Name} are {(organization.EntitlementsActivated ? "activated" : "deactivated")}.";
    }
}

/// <summary>The operations home's forms, as posted: a new organization's name and key, or an administrator to invite.</summary>
public sealed class OrganizationForm
{
    public string? Name { get; set; }

    /// <summary>Rendered with the form, so a double submit creates one organization.</summary>
    public string IdempotencyKey { get; set; } = "";

    public string? AdminEmail { get; set; }
}

/// <summary>The operations home's one query.</summary>
public sealed class OpsScreenQuery(OrganizationQueries organizations, ForecastQueries forecasts)
{
    /// <summary>The screen, its form keeping <paramref name="keptKey"/> (a refused create's own) or else given a fresh key.</summary>
    public async Task<OpsScreen> For(string? keptKey, CancellationToken ct) =>
        new(await organizations.All(ct), await forecasts.Shortfalls(ct), keptKey ?? Guid.NewGuid().ToString("N"));
}
