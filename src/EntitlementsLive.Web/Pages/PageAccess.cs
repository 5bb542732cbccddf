using EntitlementsLive.Domain;
using EntitlementsLive.Web.Features.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages;

/// <summary>
/// Turns access refusals into proper pages: 404 for what the user may not know about, 403 (with the
/// reason) for what they may not do. The status code pages render the message.
/// </summary>
public static class PageAccess
{
    public const string MessageKey = "el:problem";

    public static async Task<IActionResult?> Guard(this PageModel page, Func<Task> check)
    {
        try
        {
            await check();
            return null;
        }
        catch (DomainException ex) when (ex.Code is ErrorCodes.NotFound or ErrorCodes.Forbidden or ErrorCodes.EntitlementsNotActivated)
        {
            page.HttpContext.Items[MessageKey] = ex.Message;
            return page.StatusCode(ex.Code == ErrorCodes.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden);
        }
    }
}
