using EntitlementsLive.Web.Features.Members;
using Microsoft.AspNetCore.Mvc;

namespace EntitlementsLive.Web.Pages.Orgs.Members;

/// <summary>The organization's audit trail, for its administrators (the folder's policy).</summary>
public sealed class AuditModel(AuditQueries audit) : OrgPageModel
{
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    public AuditPage Result { get; private set; } = new([], null);

    public async Task OnGetAsync(CancellationToken ct) => Result = await audit.Page(OrgId, null, Cursor, ct);
}
