using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Alerts;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The organization's alerts (open, or all), the warning window for events, and where pool levels are set.</summary>
public sealed class AlertsModel(AlertQueries alerts, SetAlertSettings settings) : OrgPageModel
{
    public const string Saved = "AlertSettingsSaved";

    [FromQuery(Name = "state")]
    public string State { get; set; } = "open";

    public IReadOnlyList<AlertDto> Alerts { get; private set; } = [];

    public int UncoveredSoonDays { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        State = State == "all" ? "all" : "open";
        Alerts = await alerts.List(OrgId, State, ct);
        UncoveredSoonDays = (await alerts.Settings(OrgId, ct)).UncoveredSoonDays;
    }

    public async Task<IActionResult> OnPostWindowAsync(int? uncoveredSoonDays, CancellationToken ct)
    {
        var saved = await settings.Handle(OrgId, new AlertSettingsRequest(uncoveredSoonDays), ct);
        TempData[Saved] = $"Live events missing entitlements now raise an alert {saved.UncoveredSoonDays} days before they start.";
        return RedirectToPage(new { orgId = OrgId });
    }

    protected override async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        var page = await base.RefusedAsync(refusal, ct);
        Error += " Nothing was changed.";
        return page;
    }

    protected override Task ReloadAsync(CancellationToken ct) => OnGetAsync(ct);
}
