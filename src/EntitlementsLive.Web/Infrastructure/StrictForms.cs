using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// Forms read numbers as strictly as the API reads JSON: decimal digits with an optional sign, nothing else
/// (the framework's converters would take "0x10" as 16). An empty field binds to null where null is allowed.
/// </summary>
public sealed class StrictNumberBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        (Nullable.GetUnderlyingType(context.Metadata.ModelType) ?? context.Metadata.ModelType) is var type && (type == typeof(int) || type == typeof(long))
            ? new StrictNumberBinder(type, Nullable.GetUnderlyingType(context.Metadata.ModelType) is not null)
            : null;

    private sealed class StrictNumberBinder(Type type, bool nullable) : IModelBinder
    {
        public Task BindModelAsync(ModelBindingContext context)
        {
            var value = context.ValueProvider.GetValue(context.ModelName);
            if (value == ValueProviderResult.None)
            {
                return Task.CompletedTask;
            }

            context.ModelState.SetModelValue(context.ModelName, value);
            var text = value.FirstValue?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                if (nullable)
                {
                    context.Result = ModelBindingResult.Success(null);
                }
                else
                {
                    context.ModelState.TryAddModelError(context.ModelName, $"{context.ModelMetadata.DisplayName ?? context.ModelName} is required.");
                }

                return Task.CompletedTask;
            }

            const NumberStyles digits = NumberStyles.AllowLeadingSign;
            object? parsed = type == typeof(int)
                ? int.TryParse(text, digits, CultureInfo.InvariantCulture, out var i) ? i : null
                : long.TryParse(text, digits, CultureInfo.InvariantCulture, out var l) ? l : null;
            if (parsed is null)
            {
                context.ModelState.TryAddModelError(context.ModelName,
                    $"{context.ModelMetadata.DisplayName ?? context.ModelName} must be a whole number written in digits, e.g. 12.");
                return Task.CompletedTask;
            }

            context.Result = ModelBindingResult.Success(parsed);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// A form whose fields could not be read (a number in letters, a flag that is neither true nor false) is refused
/// before its handler runs: nothing is changed, and the error page says which field and why.
/// </summary>
public sealed class RefuseUnreadableForms : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        // The error page itself runs again with the refused form (re-executed): it must still render.
        if (HttpMethods.IsPost(context.HttpContext.Request.Method) && !context.ModelState.IsValid && context.ActionDescriptor.ViewEnginePath != "/Error")
        {
            var errors = context.ModelState.Where(e => e.Value is { Errors.Count: > 0 })
                .Select(e => e.Value!.Errors[0].ErrorMessage is { Length: > 0 } message ? message : $"{e.Key} could not be read.");
            context.HttpContext.Items[AccessResults.MessageKey] = "Nothing was changed. " + string.Join(" ", errors.Take(3));
            context.Result = new StatusCodeResult(StatusCodes.Status400BadRequest);
            return;
        }

        await next();
    }
}
