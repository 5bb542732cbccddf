using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// A form sent to a page that has no handler for it (a POST to a page that only shows, an unknown <c>?handler=</c>)
/// answers 405 with the methods the page takes, before the page renders with nothing loaded; never a 5xx.
/// </summary>
public sealed class RefuseMethodsWithoutHandler : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var method = context.HttpContext.Request.Method;

        // The error page runs again for any refused request (re-executed, with the original method): it must render.
        if (context.HandlerMethod is null && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && context.ActionDescriptor.ViewEnginePath != "/Error")
        {
            var allowed = context.ActionDescriptor.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant()).Append("GET").Append("HEAD").Distinct().Order(StringComparer.Ordinal);
            context.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
            context.HttpContext.Items[AccessResults.MessageKey] = "This page does not take that request: nothing was changed.";
            context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
            return;
        }

        await next();
    }
}
