using EntitlementsLive.Domain;
using EntitlementsLive.Web.Data;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.EntityFrameworkCore;

namespace EntitlementsLive.Web.Features.Requests;

/// <summary>Entitlement requests as their lists and banners show them, newest first.</summary>
public sealed class RequestQueries(AppDbContext db)
{
    public const string OpenState = "open";
    public const string AllState = "all";

    public async Task<IReadOnlyList<RequestDto>> List(int organizationId, string? state, CancellationToken ct)
    {
        if (state is not (null or OpenState or AllState))
        {
            throw Validation.Invalid("state", $"state is \"{OpenState}\" or \"{AllState}\".");
        }

        var requests = db.EntitlementRequests.AsNoTracking().Where(r => r.OrganizationId == organizationId);
        if (state is null or OpenState)
        {
            requests = requests.Where(r => r.Status == RequestStatus.Open);
        }

        return await Shape(requests.OrderByDescending(r => r.Id).Take(500), ct);
    }

    public async Task<IReadOnlyList<RequestDto>> ForEvent(int organizationId, int eventId, CancellationToken ct) =>
        await Shape(db.EntitlementRequests.AsNoTracking().Where(r => r.OrganizationId == organizationId && r.EventId == eventId).OrderByDescending(r => r.Id).Take(100), ct);

    /// <summary>What the event's banner shows: its latest request, if any.</summary>
    public async Task<RequestDto?> Latest(int organizationId, int eventId, CancellationToken ct) =>
        (await Shape(db.EntitlementRequests.AsNoTracking().Where(r => r.OrganizationId == organizationId && r.EventId == eventId).OrderByDescending(r => r.Id).Take(1), ct))
        is [var latest] ? latest : null;

    public Task<int> OpenCount(int organizationId, CancellationToken ct) =>
        db.EntitlementRequests.CountAsync(r => r.OrganizationId == organizationId && r.Status == RequestStatus.Open, ct);

    public async Task<RequestDto> One(int organizationId, long requestId, CancellationToken ct) =>
        (await Shape(db.EntitlementRequests.AsNoTracking().Where(r => r.OrganizationId == organizationId && r.Id == requestId), ct)).SingleOrDefault()
        ?? throw Validation.NotFound("The request");

    private async Task<IReadOnlyList<RequestDto>> Shape(IQueryable<EntitlementRequest> requests, CancellationToken ct) =>
        (await (from r in requests
                join e in db.Events on r.EventId equals e.Id
                select new { Request = r, e.Name }).ToListAsync(ct))
        .Select(x => RequestDto.Of(x.Request, x.Name)).ToList();
}

/// <summary>Who is asking or answering: the signed-in person's name and e-mail.</summary>
internal static class People
{
    public static async Task<(string Id, string Name, string Email)> CurrentAsync(AppDbContext db, CurrentUser me, CancellationToken ct)
    {
        var id = me.UserId ?? throw new DomainException(ErrorCodes.Forbidden, "Only a signed-in person can do this.");
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(ct)
                   ?? throw new DomainException(ErrorCodes.Forbidden, "Only a signed-in person can do this.");
        var email = user.Email ?? me.Actor;
        return (id, string.IsNullOrWhiteSpace(user.DisplayName) ? email : user.DisplayName, email);
    }
}
