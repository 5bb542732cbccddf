using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace EntitlementsLive.Web.Infrastructure;

/// <summary>
/// The OpenAPI document (/openapi/v1.json) with the bearer sign-in explained and examples for the calls
/// integrations make most, and Scalar over it at /api/docs (its script is served by the app, no CDN).
/// </summary>
public static class ApiDocs
{
    public const string Path = "/api/docs";

    private const string Bearer = "Bearer";

    private const string SignIn =
        "Every call but sign-in carries `Authorization: Bearer <token>`. A person gets a token with `POST /api/auth/login` " +
        "(`{\"email\": …, \"password\": …}` → `accessToken`, valid for an hour); a registration system uses an integration key " +
        "(`elk_…`, created by an administrator under Entitlements → Integrations, shown once) as the token itself. In this " +
        "explorer: sign in with the login call, copy `accessToken`, and paste it under Authentication.";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "EntitlementsLive API";
            document.Info.Description = "Pools, transfers, events, participant changes and members, as the back office uses them. " +
                "Errors are `application/problem+json` with a `code`. " + SignIn;
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT or integration key",
                Description = SignIn,
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var route = context.Description.RelativePath ?? "";
            var example = route switch
            {
                _ when route.EndsWith("/transfers", StringComparison.Ordinal) =>
                    new JsonObject { ["productCode"] = "SUBSCRIPTION", ["quantity"] = 28, ["idempotencyKey"] = "cover-summit-2026-11-29" },
                _ when route.EndsWith("/participant-changes", StringComparison.Ordinal) => new JsonObject
                {
                    ["changes"] = new JsonArray(
                        new JsonObject { ["changeId"] = "reg-1001", ["participantRef"] = "attendee-42", ["type"] = "added", ["occurredAt"] = "2026-11-29T09:15:00Z" },
                        new JsonObject { ["changeId"] = "reg-1002", ["participantRef"] = "attendee-42", ["type"] = "activated", ["occurredAt"] = "2026-11-29T09:20:00Z" },
                        new JsonObject { ["changeId"] = "reg-1003", ["participantRef"] = "attendee-17", ["type"] = "cancelled", ["occurredAt"] = "2026-11-29T09:30:00+01:00" }),
                },
                "api/auth/login" => new JsonObject { ["email"] = "admin@acme.test", ["password"] = "Demo!2345" },
                _ => null,
            };
            if (example is not null && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType json)
            {
                json.Example = example;
            }

            return Task.CompletedTask;
        });
    }

    public static void MapApiDocs(this WebApplication app) =>
        app.MapScalarApiReference(Path, o => o
            .WithTitle("EntitlementsLive API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .AddPreferredSecuritySchemes(Bearer))
        .AllowAnonymous();
}
