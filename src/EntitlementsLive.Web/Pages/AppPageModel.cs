using EntitlementsLive.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EntitlementsLive.Web.Pages;

/// <summary>
/// Every page's one refusal filter: a use case that refuses (bad input, a rule, a stale plan) is answered on the page
/// itself with the refusal's words and fields, the page re-read; "not found" and "forbidden" go to the error page as
/// everywhere else. PageModels call their use case and return; none catches a <see cref="DomainException"/>.
/// </summary>
public abstract class AppPageModel : PageModel
{
    /// <summary>The refusal the page shows (its message), if the last handler was refused.</summary>
    public string? Error { get; protected set; }

    /// <summary>The refusal's fields and their messages, for the form's fields.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; protected set; } = new Dictionary<string, string[]>();

    /// <summary>The handler the request runs ("Create" for <c>OnPostCreateAsync</c>), for pages with several forms.</summary>
    protected string? Handler { get; private set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        Handler = context.HandlerMethod?.Name;
        var executed = await BeforeHandlerAsync(context, next);
        if (executed is { Exception: DomainException refusal, ExceptionHandled: false } && ShowsOnPage(refusal))
        {
            executed.Result = await RefusedAsync(refusal, HttpContext.RequestAborted);
            executed.ExceptionHandled = true;
        }
    }

    /// <summary>What a page reads before any handler (the organization, say); calls <paramref name="next"/>.</summary>
    protected virtual async Task<PageHandlerExecutedContext?> BeforeHandlerAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next) => await next();

    /// <summary>Refusals said on the page; the rest (not found, forbidden) are the error page's.</summary>
    protected virtual bool ShowsOnPage(DomainException refusal) => refusal.Code is not (ErrorCodes.NotFound or ErrorCodes.Forbidden or ErrorCodes.EntitlementsNotActivated);

    /// <summary>What the page shows after a refusal: by default itself, re-read after a form, with the refusal's words.</summary>
    protected virtual async Task<IActionResult> RefusedAsync(DomainException refusal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        (Error, Errors) = (Unchanged is null ? refusal.Message : refusal.Message + " " + Unchanged, refusal.Errors);
        if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method))
        {
            await ReloadAsync(ct);
        }

        return Page();
    }

    /// <summary>What a refused form left as it was, said after the refusal's words ("Nothing was changed."), if anything.</summary>
    protected virtual string? Unchanged => null;

    /// <summary>Reads what the page shows, for a form that was refused (usually what its GET reads).</summary>
    protected virtual Task ReloadAsync(CancellationToken ct) => Task.CompletedTask;
}
