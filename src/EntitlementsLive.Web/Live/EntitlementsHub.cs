using EntitlementsLive.Web.Features.Access;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Net.Http.Headers;

namespace EntitlementsLive.Web.Live;

/// <summary>What the server sends; the names are the hub message names of API.md.</summary>
public interface IEntitlementsClient
{
    Task PoolBalanceChanged(PoolBalanceChangedMessage message);

    Task EventCoverageChanged(EventCoverageChangedMessage message);

    Task MissingEntitlementsChanged(MissingEntitlementsChangedMessage message);

    Task TransactionRecorded(TransactionRecordedMessage message);

    Task AlertRaised(AlertMessage message);

    Task AlertResolved(AlertMessage message);

    Task EntitlementRequestChanged(EntitlementRequestChangedMessage message);

    Task Heartbeat(HeartbeatMessage message);
}

/// <summary>
/// Stateless: each connection joins its own user's group (never a client-sent name); what reaches that
/// group is decided per push from memberships. Resume replays what a reconnecting client missed.
/// </summary>
[Authorize]
public sealed class EntitlementsHub(ResumeService resume, IAuthorizationService authorization) : Hub<IEntitlementsClient>
{
    public override Task OnConnectedAsync()
    {
        Telemetry.Connections.Add(1, Telemetry.NodeTag);
        ForgetCredentials(Context.GetHttpContext());
        return Context.UserIdentifier is { } user
            ? Groups.AddToGroupAsync(Context.ConnectionId, LiveGroups.User(user), Context.ConnectionAborted)
            : Task.CompletedTask;
    }

    /// <summary>
    /// The hub's request lives as long as its screen, and Kestrel keeps the request's headers all that time. The
    /// credentials it was authenticated with (a bearer token of about 1,000 characters, or the sign-in cookie) were the
    /// largest single object an open connection held: 2 KB of the 28 KB of live objects a heap dump at 10,000 screens
    /// gave each. Every check after this one reads the connection's user, never the headers, so they are dropped once it
    /// is connected.
    /// </summary>
    private static void ForgetCredentials(HttpContext? http)
    {
        if (http is not null)
        {
            http.Request.Headers.Remove(HeaderNames.Authorization);
            http.Request.Headers.Remove(HeaderNames.Cookie);
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        Telemetry.Connections.Add(-1, Telemetry.NodeTag);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Replays what the caller missed of an organization it follows, by the same policy as every request (the organization
    /// as the resource); of any other, nothing is replayed and nothing is said.
    /// </summary>
    public async Task<ResumeResult> Resume(int orgId, long afterSequence)
    {
        var access = await authorization.AuthorizeAsync(Context.User ?? new(), new OrganizationResource(orgId), Policies.LiveFollower);
        return access.Succeeded
            ? await resume.Handle(Context.UserIdentifier, orgId, afterSequence, Clients.Caller, Context.ConnectionAborted)
            : ResumeResult.Nothing;
    }
}
