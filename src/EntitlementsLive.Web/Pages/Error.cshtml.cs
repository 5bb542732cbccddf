using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }

    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        Code = code ?? (Response.StatusCode >= 400 ? Response.StatusCode : 500);
        var reason = HttpContext.Items[Infrastructure.AccessResults.MessageKey] as string;
        (Title, Message) = Code switch
        {
            403 => ("You don't have access to this page", reason ?? "Only Organization Administrators and Entitlement Managers can manage entitlements. Ask one of them if you need a change."),
            404 => ("We couldn't find that page", reason ?? "It may have moved, or you may not be a member of that organization or event."),
            400 => ("That request didn't look right", reason ?? "Please go back and try again."),
            _ => ("Something went wrong on our side", "The problem was logged. Please try again in a moment."),
        };
    }
}
