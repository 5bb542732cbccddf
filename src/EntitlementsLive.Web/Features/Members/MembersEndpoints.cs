using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Shared;

namespace EntitlementsLive.Web.Features.Members;

/// <summary>The members part of the JSON API (API.md), mapped on the route groups whose policies say who may call it.</summary>
public static class MembersEndpoints
{
    public static ApiGroups MapMembers(this ApiGroups groups)
    {
        var app = groups.App;
        var api = groups.Api;
        var orgAdmin = groups.OrgAdmin;

        orgAdmin.MapGet("/memberships", async (int orgId, Memberships members, CancellationToken ct) =>
            TypedResults.Ok(await members.List(orgId, ct)))
            .WithSummary("The organization's administrators, entitlement managers and event teams.");

        orgAdmin.MapDelete("/memberships/{membershipId:int}", async (int orgId, int membershipId, Memberships members, CancellationToken ct) =>
        {
            await members.Remove(orgId, membershipId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Removes a membership (never the last administrator); it takes effect on open live connections too.");

        orgAdmin.MapPut("/memberships/{membershipId:int}", async (int orgId, int membershipId, ChangeRoleRequest body, Memberships members, CancellationToken ct) =>
            TypedResults.Ok(await members.ChangeRole(orgId, membershipId, body, ct)))
            .WithSummary("Changes a member's role (the last administrator cannot be demoted).");

        orgAdmin.MapGet("/audit", async (int orgId, int? limit, string? cursor, AuditQueries audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.Page(orgId, limit, cursor, ct)))
            .WithSummary("Who did what, when and from where (keys, members, invitations, activation), newest first.");

        orgAdmin.MapGet("/audit/export", async (int orgId, string? format, AuditQueries audit, HttpContext http, CancellationToken ct) =>
            await audit.ExportAsync(http.Response, orgId, format, ct))
            .WithSummary("The whole audit trail as CSV or XLSX (format=csv|xlsx), streamed.");

        orgAdmin.MapGet("/invitations", async (int orgId, InviteMember invite, CancellationToken ct) =>
            TypedResults.Ok(await invite.Pending(orgId, ct)))
            .WithSummary("Invitations not yet accepted and not expired.");

        api.MapGroup("/orgs/{orgId:int}").RequireAuthorization(Policies.Inviter).MapPost("/invitations",
            async (int orgId, InviteRequest body, CurrentUser me, InviteMember invite, HttpContext http, CancellationToken ct) =>
            {
                var created = await invite.Handle(orgId, body, me.Actor, WebLinks.BaseUrl(http), ct);
                return TypedResults.Created($"/api/orgs/{orgId}/invitations", created);
            }).WithSummary("Invites someone with a role; the single-use link is answered once (and mailed when mail is configured).");

        app.MapPost("/api/invitations/accept", async (AcceptRequest body, AcceptInvitation accept, CancellationToken ct) =>
        {
            var accepted = await accept.Handle(body, ct);
            return TypedResults.Ok(new { accepted.Email, accepted.Memberships });
        }).AllowAnonymous().WithTags("Auth").WithSummary("Accepts an invitation or a password reset link; a used, expired or forged one answers 410.");

        app.MapPost("/api/auth/password-reset", async (PasswordResetRequest body, IssuePasswordReset reset, HttpContext http, CancellationToken ct) =>
        {
            var mailed = await reset.ByMail(body.Email, WebLinks.BaseUrl(http), ct);
            return mailed ? Results.Accepted() : Results.Problem("Password resets are not mailed here: ask your organization's administrator for a reset link.",
                statusCode: StatusCodes.Status503ServiceUnavailable, type: "https://entitlementslive.dev/problems/mail-not-configured",
                extensions: new Dictionary<string, object?> { ["code"] = "mail-not-configured" });
        }).AllowAnonymous().WithTags("Auth").WithSummary("Mails a reset link when the address has an account (the same answer either way).");

        orgAdmin.MapPost("/memberships/{membershipId:int}/password-reset", async (int orgId, int membershipId, CurrentUser me, IssuePasswordReset reset, HttpContext http, CancellationToken ct) =>
            TypedResults.Created($"/api/orgs/{orgId}/memberships/{membershipId}", await reset.ForMember(orgId, membershipId, me.Actor, WebLinks.BaseUrl(http), ct)))
            .WithSummary("A single-use link for a member to choose a new password (shown once, mailed when configured).");

        return groups;
    }
}
