using System.Security.Claims;
using System.Text.Encodings.Web;
using EntitlementsLive.Web.Features.Integrations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>Authenticates a registration system by its organization's integration key (header X-Api-Key).</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string OrganizationClaim = Features.Access.Policies.IntegrationOrganizationClaim;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Header].ToString();
        if (presented.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await Context.RequestServices.GetRequiredService<IntegrationKeys>().Verify(presented, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The integration key is not valid.");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, "integration:" + key.Id),
            new Claim(ClaimTypes.Name, "integration: " + key.Name),
            new Claim(OrganizationClaim, key.OrganizationId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. key.Scopes.Select(s => new Claim(Features.Access.Policies.IntegrationScopeClaim, s.ToString())),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
