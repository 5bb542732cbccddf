using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Requests;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The event teams' requests: approve (Cover this event, confirmed on the Cover page) or decline with a reason.</summary>
public sealed class RequestsModel(RequestQueries requests, DeclineRequest decline) : OrgPageModel
{
    public const string Done = "RequestDone";

    [BindProperty(SupportsGet = true)]
    public string State { get; set; } = RequestQueries.OpenState;

    public IReadOnlyList<RequestDto> Requests { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await Load(ct);

    public async Task<IActionResult> OnPostDeclineAsync(long requestId, string? reason, CancellationToken ct)
    {
        var declined = await decline.Handle(OrgId, requestId, new DeclineBody(reason), ct);
        TempData[Done] = $"The request for {declined.EventName} is declined; its team reads your reason.";
        return RedirectToPage(new { orgId = OrgId, state = State });
    }

    protected override Task ReloadAsync(CancellationToken ct) => Load(ct);

    private async Task Load(CancellationToken ct)
    {
        State = State == RequestQueries.AllState ? RequestQueries.AllState : RequestQueries.OpenState;
        Requests = await requests.List(OrgId, State, ct);
    }
}
