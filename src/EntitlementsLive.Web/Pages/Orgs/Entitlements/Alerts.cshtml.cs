using EntitlementsLive.Web.Features.Alerts;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Entitlements;

/// <summary>The organization's alerts (open, or all), the warning window for events, and where pool levels are set.</summary>
public sealed class AlertsModel(AlertQueries alerts, SetAlertSettings settings) : OrgPageModel
{
    public const string Saved = "AlertSettingsSaved";

    [FromQuery(Name = "state")]
    public string? State { get; set; }

    public AlertsScreen Screen { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Screen = await alerts.Screen(OrgId, State, ct);

    public async Task<IActionResult> OnPostWindowAsync(int? uncoveredSoonDays, CancellationToken ct)
    {
        var saved = await settings.Handle(OrgId, new AlertSettingsRequest(uncoveredSoonDays), ct);
        TempData[Saved] = $"Live events missing entitlements now raise an alert {saved.UncoveredSoonDays} days before they start.";
        return RedirectToPage(new { orgId = OrgId });
    }

    protected override string Unchanged => "Nothing was changed.";

    protected override Task ReloadAsync(CancellationToken ct) => OnGetAsync(ct);
}
