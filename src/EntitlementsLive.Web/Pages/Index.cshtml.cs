using EntitlementsLive.Web.Features.Organizations;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages;

public sealed class IndexModel(Navigation navigation) : PageModel
{
    public NavigationModel Nav { get; private set; } = null!;

    public IReadOnlyDictionary<int, Attention> Attention { get; private set; } = new Dictionary<int, Attention>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Nav = await navigation.GetAsync(ct);
        Attention = await navigation.AttentionAsync(Nav.Organizations, ct);
    }
}
