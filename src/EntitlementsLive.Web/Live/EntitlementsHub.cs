using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace EntitlementsLive.Web.Live;

/// <summary>What the server sends; the names are the hub message names of API.md.</summary>
public interface IEntitlementsClient
{
    Task PoolBalanceChanged(PoolBalanceChangedMessage message);

    Task EventCoverageChanged(EventCoverageChangedMessage message);

    Task MissingEntitlementsChanged(MissingEntitlementsChangedMessage message);

    Task TransactionRecorded(TransactionRecordedMessage message);
}

/// <summary>
/// Stateless: groups come from the caller's memberships on connect (never from a client-sent name),
/// and Resume replays what a reconnecting client missed.
/// </summary>
[Authorize]
public sealed class EntitlementsHub(LiveGroups groups, ResumeService resume) : Hub<IEntitlementsClient>
{
    public override Task OnConnectedAsync() => groups.JoinAsync(Context.UserIdentifier, Context.ConnectionId, Context.ConnectionAborted);

    public override Task OnDisconnectedAsync(Exception? exception) => groups.LeaveAsync(Context.UserIdentifier, Context.ConnectionId);

    public Task<ResumeResult> Resume(int orgId, long afterSequence) =>
        resume.Handle(Context.UserIdentifier, orgId, afterSequence, Clients.Caller, Context.ConnectionAborted);
}
