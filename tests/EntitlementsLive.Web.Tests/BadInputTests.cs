using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EntitlementsLive.Domain;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace EntitlementsLive.Web.Tests;

/// <summary>
/// The adversarial input suite: generated hostile requests over every endpoint, form, hub method and the CSV
/// upload. Each must be refused with a clear answer (problem+json on the API, a message on the page, a hub
/// error on the hub), never a 5xx, and must leave every table as it was.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class BadInputTests(AppFactory app, ITestOutputHelper output)
{
    private const string Json = "application/json";

    private sealed record Case(string Name, string Method, string Path, string? Body, string ContentType = Json, string? Token = "admin");

    private sealed record Field(string Name, Kind Kind, Func<string> Valid);

    private enum Kind { RequiredText, OptionalText, Email, Code, Role, Quantity, LongQuantity, Timestamp, Flag, OptionalEventId, Scopes, Modules, Password, Token }

    [Fact]
    public async Task EveryHostileApiRequest_IsRefusedAsProblemJson_AndChangesNothing()
    {
        var world = await World.Load(app);
        var tokens = new Dictionary<string, string>
        {
            ["admin"] = await TokenOf("admin@acme.test"),
            ["ops"] = await TokenOf("ops@platform.test"),
            ["team"] = await TokenOf("team@acme.test"),
            ["globex"] = await TokenOf("admin@globex.test"),
            ["forged"] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        };
        var before = await Settled();

        var cases = ApiCases(world).ToList();
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(Bytes(c.Body));
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
            }

            if (c.Token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[c.Token]);
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var type = response.Content.Headers.ContentType?.MediaType;
            var text = await response.Content.ReadAsStringAsync();
            if (status is < 400 or >= 500)
            {
                failures.Add($"{c.Name}: {status} {Truncate(text)}");
            }
            else if (type != "application/problem+json" || !HasProblemShape(text, status))
            {
                failures.Add($"{c.Name}: {status} answered as {type ?? "nothing"}: {Truncate(text)}");
            }
        }

        var after = await State();
        output.WriteLine($"API cases tried: {cases.Count}; refused as problem+json: {cases.Count - failures.Count}; by status: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(cases.Count >= 500, $"only {cases.Count} cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases were not refused cleanly:\n" + string.Join("\n", failures.Take(60)));
        Assert.True(before == after, $"state changed:\n{before}\n{after}");
    }

    [Fact]
    public async Task EveryHostileFormPost_ShowsAMessage_AndChangesNothing()
    {
        var world = await World.Load(app);
        using var admin = await app.PagesAs("admin@acme.test");
        using var ops = await app.PagesAs("ops@platform.test");
        var before = await Settled();
        var tried = 0;
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        async Task Submit(string name, HttpClient client, string pagePath, string postPath, Dictionary<string, string> form, string expectedMessage)
        {
            tried++;
            var page = await client.GetStringAsync(pagePath);
            using var response = await Browserless.Post(client, postPath, form, page);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var html = await response.Content.ReadAsStringAsync();

            // Refused on the page itself with its message, or (a form no browser would send) on the error page with the reason.
            var refused = status == 200
                ? html.Contains(expectedMessage, StringComparison.Ordinal)
                : status is >= 400 and < 500 && html.Contains("data-testid=\"error-message\"", StringComparison.Ordinal);
            if (!refused)
            {
                failures.Add($"{name}: {status} without \"{expectedMessage}\"");
            }
        }

        string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
        string Key() => Guid.NewGuid().ToString("N");

        var transfer = $"/Orgs/{world.Acme}/Entitlements/Transfer?eventId={world.Summit}";
        const string transferError = "data-testid=\"transfer-error\"";
        foreach (var handler in new[] { "Review", "Confirm" })
        {
            var post = transfer + "&handler=" + handler;
            foreach (var (label, quantity) in FormQuantities)
            {
                await Submit($"transfer {handler} quantity {label}", admin, transfer, post,
                    new() { ["EventId"] = Id(world.Summit), ["product"] = ProductCodes.Subscription, ["Quantity"] = quantity, ["IdempotencyKey"] = Key() }, transferError);
            }

            foreach (var (label, code) in FormCodes)
            {
                await Submit($"transfer {handler} product {label}", admin, transfer, post,
                    new() { ["EventId"] = Id(world.Summit), ["product"] = code, ["Quantity"] = "1", ["IdempotencyKey"] = Key() }, transferError);
            }

            foreach (var (label, key) in FormTexts.Where(t => t.Label is not "empty" and not "blank"))
            {
                await Submit($"transfer {handler} key {label}", admin, transfer, post,
                    new() { ["EventId"] = Id(world.Summit), ["product"] = ProductCodes.Subscription, ["Quantity"] = "1", ["IdempotencyKey"] = key }, transferError);
            }

            await Submit($"transfer {handler} a module the event holds", admin, transfer, post,
                new() { ["EventId"] = Id(world.Summit), ["product"] = world.HeldModule, ["Quantity"] = "1", ["IdempotencyKey"] = Key() }, transferError);
            await Submit($"transfer {handler} a module in two", admin, transfer, post,
                new() { ["EventId"] = Id(world.Summit), ["product"] = world.FreeModule, ["Quantity"] = "2", ["IdempotencyKey"] = Key() }, transferError);
        }

        var members = $"/Orgs/{world.Acme}/Members";
        const string membersError = "data-testid=\"members-error\"";
        foreach (var (label, email) in FormEmails)
        {
            await Submit($"invite email {label}", admin, members, members + "?handler=Invite", new() { ["Email"] = email, ["RoleChoice"] = "OrganizationAdministrator" }, membersError);
        }

        foreach (var (label, role) in FormRoles.Select(r => (r.Label, r.Value.Replace("GLOBEX", Id(world.GlobexEvent), StringComparison.Ordinal))))
        {
            await Submit($"invite role {label}", admin, members, members + "?handler=Invite", new() { ["Email"] = Fresh(), ["RoleChoice"] = role }, membersError);
            await Submit($"change role {label}", admin, members, $"{members}?handler=Role&membershipId={world.TeamMembership}", new() { ["RoleChoice"] = role }, membersError);
        }

        foreach (var id in new[] { "0", "-1", "999999", "abc", "0x2", Id(world.GlobexMembership) })
        {
            await Submit($"remove membership {id}", admin, members, $"{members}?handler=Remove&membershipId={id}", [], membersError);
            await Submit($"reset membership {id}", admin, members, $"{members}?handler=Reset&membershipId={id}", [], membersError);
        }

        var keys = $"/Orgs/{world.Acme}/Entitlements/Integrations";
        foreach (var (label, name) in FormTexts)
        {
            await Submit($"key name {label}", admin, keys, keys + "?handler=Create", new() { ["Name"] = name, ["Scopes"] = "participant-changes" }, "alert-danger");
        }

        foreach (var (label, scope) in FormCodes)
        {
            await Submit($"key scope {label}", admin, keys, keys + "?handler=Create", new() { ["Name"] = "scanner", ["Scopes"] = scope }, "alert-danger");
        }

        foreach (var id in new[] { "0", "-1", "999999", "abc" })
        {
            await Submit($"revoke key {id}", admin, keys, $"{keys}?handler=Revoke&keyId={id}", [], "alert-danger");
        }

        const string opsError = "data-testid=\"ops-error\"";
        foreach (var (label, text) in FormTexts)
        {
            await Submit($"ops organization name {label}", ops, "/Ops", "/Ops?handler=Create", new() { ["Name"] = text, ["IdempotencyKey"] = Key() }, opsError);
            await Submit($"ops product name {label}", ops, "/Ops/Products", "/Ops/Products", new() { ["Code"] = "NEW_MODULE", ["ProductName"] = text, ["Kind"] = "module" }, opsError);
        }

        foreach (var (label, email) in FormEmails)
        {
            await Submit($"ops admin email {label}", ops, "/Ops", $"/Ops?handler=InviteAdmin&organizationId={world.Initech}", new() { ["AdminEmail"] = email }, opsError);
        }

        foreach (var flag in new[] { "maybe", "1", "", "yes" })
        {
            await Submit($"ops activation {flag}", ops, "/Ops", $"/Ops?handler=Activation&organizationId={world.Initech}", new() { ["activated"] = flag }, opsError);
        }

        foreach (var org in new[] { "abc", "0x1", "" })
        {
            await Submit($"ops activation of organization '{org}'", ops, "/Ops", $"/Ops?handler=Activation&organizationId={org}", new() { ["activated"] = "true" }, opsError);
        }

        foreach (var (label, code) in FormCodes.Where(c => c.Label is not "unknown" and not "lower case"))
        {
            await Submit($"ops product code {label}", ops, "/Ops/Products", "/Ops/Products", new() { ["Code"] = code, ["ProductName"] = "Badges", ["Kind"] = "module" }, opsError);
            await Submit($"ops product kind {label}", ops, "/Ops/Products", "/Ops/Products", new() { ["Code"] = "BADGES", ["ProductName"] = "Badges", ["Kind"] = code }, opsError);
            await Submit($"ops purchase product {label}", ops, "/Ops/Purchases", "/Ops/Purchases",
                new() { ["OrganizationId"] = Id(world.Acme), ["ProductCode"] = code, ["Quantity"] = "5", ["Reference"] = "PO-1", ["IdempotencyKey"] = Key() }, "data-testid=\"purchase-error\"");
        }

        foreach (var (label, quantity) in FormLongQuantities.Append(("negative", "-1")).Append(("above the purchase limit", "10000001")))
        {
            await Submit($"ops purchase quantity {label}", ops, "/Ops/Purchases", "/Ops/Purchases",
                new() { ["OrganizationId"] = Id(world.Acme), ["ProductCode"] = ProductCodes.Subscription, ["Quantity"] = quantity, ["Reference"] = "PO-1", ["IdempotencyKey"] = Key() },
                "data-testid=\"purchase-error\"");
        }

        foreach (var (label, quantity) in FormLongQuantities.Append(("below zero", "-100000000")))
        {
            await Submit($"ops adjustment quantity {label}", ops, "/Ops/Adjustments", "/Ops/Adjustments",
                new() { ["OrganizationId"] = Id(world.Acme), ["ProductCode"] = ProductCodes.Subscription, ["Quantity"] = quantity, ["Reason"] = "count", ["Reference"] = "R-1", ["IdempotencyKey"] = Key() },
                "data-testid=\"adjustment-error\"");
        }

        foreach (var org in new[] { "0", "-1", "999999", "abc", Id(world.Initech) })
        {
            await Submit($"ops purchase organization {org}", ops, "/Ops/Purchases", "/Ops/Purchases",
                new() { ["OrganizationId"] = org, ["ProductCode"] = ProductCodes.Subscription, ["Quantity"] = "5", ["Reference"] = "PO-1", ["IdempotencyKey"] = Key() },
                "data-testid=\"purchase-error\"");
        }

        foreach (var (label, text) in FormTexts.Where(t => t.Label is not "empty" and not "blank"))
        {
            await Submit($"ops purchase reference {label}", ops, "/Ops/Purchases", "/Ops/Purchases",
                new() { ["OrganizationId"] = Id(world.Acme), ["ProductCode"] = ProductCodes.Subscription, ["Quantity"] = "5", ["Reference"] = text, ["IdempotencyKey"] = Key() },
                "data-testid=\"purchase-error\"");
        }

        foreach (var (label, text) in FormTexts)
        {
            await Submit($"ops adjustment reason {label}", ops, "/Ops/Adjustments", "/Ops/Adjustments",
                new() { ["OrganizationId"] = Id(world.Acme), ["ProductCode"] = ProductCodes.Subscription, ["Quantity"] = "-1", ["Reason"] = text, ["Reference"] = "R-1", ["IdempotencyKey"] = Key() },
                "data-testid=\"adjustment-error\"");
        }

        var after = await State();
        output.WriteLine($"form cases tried: {tried}; refused with a message: {tried - failures.Count}; by status: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} form posts were not refused with a message:\n" + string.Join("\n", failures.Take(60)));
        Assert.True(before == after, $"state changed:\n{before}\n{after}");
    }

    [Fact]
    public async Task EveryHostileCsvUpload_IsRefusedWithItsRow_AndStoresNothing()
    {
        var world = await World.Load(app);
        using var admin = await app.PagesAs("admin@acme.test");
        var before = await Settled();
        var eventPage = $"/Orgs/{world.Acme}/Events/{world.Summit}";
        var failures = new List<string>();
        var files = CsvCases().ToList();
        foreach (var (name, content) in files)
        {
            var html = await admin.GetStringAsync(eventPage);
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "Upload", "changes.csv");
            form.Add(new StringContent(Browserless.Token(html)), "__RequestVerificationToken");
            using var response = await admin.PostAsync($"/Orgs/{world.Acme}/Events/{world.Summit}/Upload", form);
            var shown = response.StatusCode == HttpStatusCode.Redirect ? await admin.GetStringAsync(eventPage) : "";
            if (!shown.Contains("data-testid=\"upload-error\"", StringComparison.Ordinal))
            {
                failures.Add($"{name}: {(int)response.StatusCode} without an upload error");
            }
        }

        var after = await State();
        output.WriteLine($"CSV uploads tried: {files.Count}; refused with a message: {files.Count - failures.Count}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(before == after, $"state changed:\n{before}\n{after}");
    }

    [Fact]
    public async Task EveryHostileHubCall_IsAnsweredWithAnError_AndTheConnectionStaysUsable()
    {
        var world = await World.Load(app);
        await using var live = await LiveClient.Connect(app, "admin@acme.test");
        var before = await Settled();
        var calls = new List<(string Name, Func<Task> Call)>();
        foreach (var args in new object?[][]
                 {
                     [], [world.Acme], ["abc", 0L], [world.Acme, "abc"], [null, 0L], [world.Acme, null], [1.5, 0L], [world.Acme, 1.5], [new[] { 1 }, 0L],
                     [world.Acme, new { a = 1 }], [world.Acme, 0L, 1], [long.MaxValue, 0L], [world.Acme, "9223372036854775808"], [true, false],
                 })
        {
            calls.Add(($"Resume({string.Join(", ", args.Select(a => JsonSerializer.Serialize(a)))})", () => live.Connection.InvokeCoreAsync("Resume", typeof(JsonElement), args)));
        }

        foreach (var method in new[] { "Resume ", "Resume\0", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "SendAsync", "Handle", "ToString", "GetHashCode" })
        {
            calls.Add(($"{method}()", () => live.Connection.InvokeCoreAsync(method, typeof(JsonElement), [world.Acme, 0L])));
        }

        var failures = new List<string>();
        foreach (var (name, call) in calls)
        {
            try
            {
                await call();
                failures.Add(name + " succeeded");
            }
            catch (HubException ex) when (ex.Message.Length > 0)
            {
            }
            catch (Exception ex)
            {
                failures.Add($"{name}: {ex.GetType().Name} {ex.Message}");
            }
        }

        // What the hub answers without an error but with nothing: another organization, an unknown one, a sequence from the future.
        var quiet = new List<object[]> { new object[] { world.Globex, 0L }, new object[] { world.Initech, 0L }, new object[] { 999_999, 0L }, new object[] { -1, -5L }, new object[] { world.Acme, long.MaxValue } };
        foreach (var args in quiet)
        {
            var result = await live.Connection.InvokeCoreAsync<JsonElement>("Resume", args);
            if (result.GetProperty("replayed").GetInt32() != 0)
            {
                failures.Add($"Resume({string.Join(", ", args)}) replayed {result.GetProperty("replayed").GetInt32()} messages");
            }
        }

        Assert.Equal(HubConnectionState.Connected, live.Connection.State);
        var still = await live.Connection.InvokeAsync<JsonElement>("Resume", world.Acme, long.MaxValue);
        Assert.True(still.GetProperty("lastSequence").GetInt64() > 0);
        var after = await State();
        output.WriteLine($"hub calls tried: {calls.Count + quiet.Count}; refused: {calls.Count + quiet.Count - failures.Count}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(before == after, $"state changed:\n{before}\n{after}");
        Assert.DoesNotContain(live.Received, m => m.OrgId != world.Acme);
    }

    private async Task<string> TokenOf(string email)
    {
        using var client = await app.ApiAs(email);
        return client.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    /// <summary>
    /// The state once the background work other tests started (participant batches, their pushes) is over, so
    /// that any change seen later is the doing of a case here.
    /// </summary>
    private async Task<string> Settled()
    {
        for (var i = 0; i < 100; i++)
        {
            var pending = await app.WithDb(db => db.ParticipantBatches.CountAsync(b => b.Status == BatchStatus.Accepted || b.Status == BatchStatus.Processing));
            var first = await State();
            await Task.Delay(200);
            if (pending == 0 && first == await State())
            {
                return first;
            }
        }

        throw new TimeoutException("The background work of earlier tests did not settle in 20 s.");
    }

    /// <summary>Every table a refused request could touch, as one comparable text.</summary>
    private async Task<string> State()
    {
        var ledger = await app.Fingerprint();
        return await app.WithDb(async db =>
            $"{ledger} audit={await db.AuditEntries.CountAsync()} members={await db.Memberships.CountAsync()} " +
            $"keys={await db.IntegrationKeys.CountAsync()}/{await db.IntegrationKeys.CountAsync(k => k.RevokedAt != null)} invitations={await db.Invitations.CountAsync()} " +
            $"users={await db.Users.CountAsync()} products={await db.Products.CountAsync()} orgs={await db.Organizations.CountAsync(o => o.EntitlementsActivated)}/{await db.Organizations.CountAsync()} " +
            $"batches={await db.ParticipantBatches.CountAsync()} events={await db.Events.CountAsync()}");
    }

    private static bool HasProblemShape(string text, int status)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            return root.TryGetProperty("status", out var s) && s.GetInt32() == status && root.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The body as UTF-8, where the invalid-UTF-8 marker becomes a byte sequence no encoder would write.</summary>
    private static byte[] Bytes(string body) =>
        [.. body.Split(InvalidUtf8).SelectMany((part, i) => (i == 0 ? [] : new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes(part)))];

    private const string InvalidUtf8 = "\u0002INVALID\u0002";

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private static string Fresh() => "new" + Guid.NewGuid().ToString("N")[..8] + "@test.example";

    private static string Q(string text) => JsonSerializer.Serialize(text);

    private static readonly string LongText = new('x', 5_000);

    /// <summary>Hostile JSON values per kind of field, as raw JSON text.</summary>
    private static IEnumerable<(string Label, string Raw)> Hostile(Kind kind)
    {
        (string, string)[] types = [("a number", "42"), ("a fraction", "4.2"), ("a boolean", "true"), ("an array", "[]"), ("an object", "{}")];
        (string, string)[] control = [("NUL", Q("a\0b")), ("bell", Q("a\u0007b")), ("newline", Q("line\nbreak")), ("DEL", Q("a\u007Fb")), ("too long", Q(LongText))];
        (string, string)[] absent = [("null", "null"), ("empty", Q("")), ("blank", Q("   "))];
        (string, string)[] invisible = [("right-to-left override", Q("gpj\u202Eexe.txt")), ("zero-width space", Q("a\u200Bb")), ("lone surrogate", "\"a\\uD800b\"")];
        (string, string)[] numbers =
        [
            ("a string", Q("1")), ("zero", "0"), ("negative", "-1"), ("a fraction", "1.5"), ("an exponent", "1e2"), ("int overflow", "2147483648"),
            ("long overflow", "9223372036854775808"), ("huge", "1e400"), ("a boolean", "true"), ("an array", "[1]"), ("an object", "{}"), ("empty string", Q("")),
            ("leading zero", "01"), ("NaN", Q("NaN")),
        ];
        return kind switch
        {
            Kind.RequiredText => types.Concat(control).Concat(absent).Concat(invisible),
            Kind.Password or Kind.Token => types.Concat(control).Concat(absent),
            Kind.OptionalText => types.Concat(control).Concat(invisible).Append(("blank", Q("   "))),
            Kind.Email => types.Concat(control).Concat(absent).Concat([("no at", Q("nobody")), ("two ats", Q("a@b@c.example")), ("spaces", Q("a b@c.example")), ("angle", Q("<a@b.example>"))]),
            Kind.Code => types.Concat(control).Concat(absent).Concat([
                ("unknown", Q("NOPE")), ("lower case", Q("subscription")), ("padded", Q(" SUBSCRIPTION")), ("trailing space", Q("SUBSCRIPTION ")), ("with NUL", Q("SUBSCRIPTION\0")),
                ("path", Q("../../etc/passwd")), ("sql", Q("SUBSCRIPTION' OR '1'='1")), ("wildcard", Q("%"))]),
            Kind.Role => types.Concat(control).Concat(absent).Concat([
                ("unknown", Q("Owner")), ("lower case", Q("organizationadministrator")), ("padded", Q(" OrganizationAdministrator")), ("short", Q("Administrator")),
                ("ops", Q("Ops")), ("zero", "0"), ("numeric string", Q("1"))]),
            Kind.Quantity => numbers.Where(n => n.Item1 != "long overflow").Append(("null", "null")),
            Kind.LongQuantity => numbers.Append(("null", "null")),
            Kind.Timestamp => types.Concat(control).Concat(absent).Concat([
                ("year 1", Q("0001-01-01T00:00:00Z")), ("year 9999", Q("9999-12-31T23:59:59Z")), ("month 13", Q("2026-13-01T00:00:00Z")), ("no offset", Q("2026-06-01T10:00:00")),
                ("words", Q("yesterday")), ("trailing NUL", Q("2026-06-01T10:00:00Z\0")), ("unix seconds", "1780000000"), ("date only", Q("2026-06-01"))]),
            Kind.Flag => [("a string", Q("true")), ("a number", "1"), ("zero", "0"), ("yes", Q("yes")), ("null", "null"), ("an array", "[]"), ("an object", "{}")],
            Kind.OptionalEventId => [("a string", Q("1")), ("zero", "0"), ("negative", "-1"), ("unknown", "999999"), ("a fraction", "1.5"), ("a boolean", "true"), ("an array", "[]"), ("overflow", "2147483648")],
            Kind.Scopes => [("a string", Q("participant-changes")), ("numbers", "[1]"), ("nulls", "[null]"), ("unknown", "[\"everything\"]"), ("upper case", "[\"PARTICIPANT-CHANGES\"]"),
                ("nested", "[[]]"), ("an object", "{}"), ("padded", "[\" events\"]"), ("NUL", "[\"events\\u0000\"]")],
            Kind.Modules => [("a string", Q("LEAD_RETRIEVAL")), ("numbers", "[1]"), ("nulls", "[null]"), ("unknown", "[\"NOPE\"]"), ("lower case", "[\"lead_retrieval\"]"),
                ("the subscription", "[\"SUBSCRIPTION\"]"), ("nested", "[[]]"), ("an object", "{}"), ("with NUL", "[\"LEAD_RETRIEVAL\\u0000\"]"),
                ("listed twice", "[\"LEAD_RETRIEVAL\",\"LEAD_RETRIEVAL\"]")],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static IEnumerable<Case> ApiCases(World w)
    {
        var key = () => Q(Guid.NewGuid().ToString("N"));
        var acme = $"/api/orgs/{w.Acme}";
        var endpoints = new (string Name, string Method, string Path, string Token, Field[] Fields, Func<string, string>? Wrap)[]
        {
            ("login", "POST", "/api/auth/login", "none", [new("email", Kind.Email, () => Q("ghost@acme.test")), new("password", Kind.Password, () => Q("wrong-password"))], null),
            ("create organization", "POST", "/api/orgs", "ops", [new("name", Kind.RequiredText, () => Q("New " + Guid.NewGuid().ToString("N")[..6])), new("idempotencyKey", Kind.RequiredText, key)], null),
            ("add product", "POST", "/api/products", "ops", [new("code", Kind.Code, () => Q("BADGES")), new("name", Kind.RequiredText, () => Q("Badges")), new("kind", Kind.Code, () => Q("module"))], null),
            ("sync event", "PUT", $"{acme}/events/by-ref/EXT-NEW", "admin",
                [new("name", Kind.RequiredText, () => Q("Synced")), new("startsAt", Kind.Timestamp, () => Q("2027-03-01T09:00:00+01:00")), new("endsAt", Kind.Timestamp, () => Q("2027-03-02T18:00:00+01:00")),
                 new("status", Kind.Code, () => Q("live")), new("modules", Kind.Modules, () => "[\"LEAD_RETRIEVAL\"]")], null),
            ("transfer", "POST", $"{acme}/events/{w.Summit}/transfers", "admin",
                [new("productCode", Kind.Code, () => Q(ProductCodes.Subscription)), new("quantity", Kind.Quantity, () => "1"), new("idempotencyKey", Kind.RequiredText, key)], null),
            ("purchase", "POST", $"{acme}/purchases", "ops",
                [new("productCode", Kind.Code, () => Q(ProductCodes.Subscription)), new("quantity", Kind.LongQuantity, () => "10"), new("reference", Kind.RequiredText, () => Q("PO-1")), new("idempotencyKey", Kind.RequiredText, key)], null),
            ("activation", "PUT", $"/api/orgs/{w.Initech}/activation", "ops", [new("activated", Kind.Flag, () => "true")], null),
            ("adjustment", "POST", $"{acme}/adjustments", "ops",
                [new("productCode", Kind.Code, () => Q(ProductCodes.Subscription)), new("quantity", Kind.LongQuantity, () => "-1"), new("reason", Kind.RequiredText, () => Q("recount")),
                 new("reference", Kind.RequiredText, () => Q("R-1")), new("idempotencyKey", Kind.RequiredText, key)], null),
            ("participant change", "POST", $"{acme}/events/{w.Summit}/participant-changes", "admin",
                [new("changeId", Kind.RequiredText, key), new("participantRef", Kind.RequiredText, () => Q("p-" + Guid.NewGuid().ToString("N")[..6])), new("type", Kind.Code, () => Q("added")),
                 new("occurredAt", Kind.Timestamp, () => Q("2026-11-01T10:00:00Z"))], body => "{\"changes\":[" + body + "]}"),
            ("integration key", "POST", $"{acme}/integration-keys", "admin", [new("name", Kind.RequiredText, () => Q("scanner")), new("scopes", Kind.Scopes, () => "[\"participant-changes\"]")], null),
            ("change role", "PUT", $"{acme}/memberships/{w.TeamMembership}", "admin",
                [new("role", Kind.Role, () => Q("EventTeam")), new("eventId", Kind.OptionalEventId, () => w.OtherAcmeEvent.ToString(CultureInfo.InvariantCulture))], null),
            ("invite", "POST", $"{acme}/invitations", "admin",
                [new("email", Kind.Email, () => Q(Fresh())), new("role", Kind.Role, () => Q("EventTeam")), new("eventId", Kind.OptionalEventId, () => w.Summit.ToString(CultureInfo.InvariantCulture))], null),
            ("accept invitation", "POST", "/api/invitations/accept", "none",
                [new("token", Kind.Token, () => Q("not-a-token")), new("name", Kind.RequiredText, () => Q("Newcomer")), new("password", Kind.Password, () => Q("Str0ng!Passw0rd"))], null),
            ("reset request", "POST", "/api/auth/password-reset", "none", [new("email", Kind.Email, () => Q(Fresh()))], null),
        };

        foreach (var e in endpoints)
        {
            string Body(string? target, string? raw, bool duplicate = false) =>
                (e.Wrap ?? (b => b))("{" + string.Join(",", e.Fields.Where(f => f.Name != target || raw is not null).Select(f =>
                    f.Name == target ? (duplicate ? $"{Q(f.Name)}:{raw},{Q(f.Name)}:{f.Valid()}" : $"{Q(f.Name)}:{raw}") : $"{Q(f.Name)}:{f.Valid()}")) + "}");
            var token = e.Token == "none" ? null : e.Token;

            // Field by field: every hostile value of its kind, the field left out, and the field twice.
            foreach (var f in e.Fields)
            {
                foreach (var (label, raw) in Hostile(f.Kind))
                {
                    if (!IsValidFor(e.Name, f, label))
                    {
                        yield return new Case($"{e.Name}: {f.Name} {label}", e.Method, e.Path, Body(f.Name, raw), Token: token);
                    }
                }

                if (!IsOptional(e.Name, f))
                {
                    yield return new Case($"{e.Name}: {f.Name} missing", e.Method, e.Path, Body(f.Name, null), Token: token);
                }

                var bad = Hostile(f.Kind).First(h => !IsValidFor(e.Name, f, h.Label)).Raw;
                yield return new Case($"{e.Name}: {f.Name} twice, the hostile value first", e.Method, e.Path, Body(f.Name, bad, duplicate: true), Token: token);
            }

            var valid = Body(null, null);
            foreach (var (label, body, type) in Structural(valid))
            {
                yield return new Case($"{e.Name}: {label}", e.Method, e.Path, body, type, token);
            }

            if (token is not null)
            {
                yield return new Case($"{e.Name}: without a token", e.Method, e.Path, valid, Token: null);
                yield return new Case($"{e.Name}: with a forged token", e.Method, e.Path, valid, Token: "forged");
                yield return new Case($"{e.Name}: as the event team", e.Method, e.Path, valid, Token: "team");
                if (e.Path.StartsWith(acme, StringComparison.Ordinal))
                {
                    yield return new Case($"{e.Name}: as another organization's admin", e.Method, e.Path, valid, Token: "globex");
                }
            }
        }

        // Routes: ids that do not exist, belong to another organization, overflow or are not numbers.
        foreach (var org in new[] { "0", "-1", "999999", "2147483648", "abc", w.Globex.ToString(CultureInfo.InvariantCulture) })
        {
            foreach (var path in new[] { "/pools", "/events", "/transactions", "/transactions/export", "/pools/export", "/events/export", "/integration-keys", "/memberships", "/audit", "/invitations" })
            {
                yield return new Case($"GET org {org}{path}", "GET", $"/api/orgs/{org}{path}", null);
            }

            yield return new Case($"transfer to org {org}", "POST", $"/api/orgs/{org}/events/{w.Summit}/transfers", TransferBody());
        }

        foreach (var ev in new[] { "0", "-1", "999999", "2147483648", w.GlobexEvent.ToString(CultureInfo.InvariantCulture) })
        {
            yield return new Case($"GET event {ev}", "GET", $"{acme}/events/{ev}/entitlements", null);
            yield return new Case($"transfer to event {ev}", "POST", $"{acme}/events/{ev}/transfers", TransferBody());
            foreach (var read in new[] { "/participants", "/participants/counts", "/participants/history?participantRef=P-1", "/participants/export?format=csv" })
            {
                yield return new Case($"GET event {ev}{read}", "GET", $"{acme}/events/{ev}{read}", null);
            }

            yield return new Case($"changes to event {ev}", "POST", $"{acme}/events/{ev}/participant-changes",
                "{\"changes\":[{\"changeId\":\"x1\",\"participantRef\":\"p1\",\"type\":\"added\",\"occurredAt\":\"2026-11-01T10:00:00Z\"}]}");
        }

        // An event's reference in the path: invisible format characters disguise it as another.
        foreach (var (label, reference) in new[] { ("right-to-left override", "EXT%E2%80%AEWEN"), ("zero-width space", "EXT%E2%80%8BNEW"), ("byte order mark", "%EF%BB%BFEXT-NEW") })
        {
            yield return new Case($"sync event: reference with a {label}", "PUT", $"{acme}/events/by-ref/{reference}",
                "{\"name\":\"Synced\",\"startsAt\":\"2027-03-01T09:00:00Z\",\"endsAt\":\"2027-03-02T09:00:00Z\",\"status\":\"live\",\"modules\":[]}");
        }

        foreach (var id in new[] { "0", "-1", "999999", w.GlobexMembership.ToString(CultureInfo.InvariantCulture) })
        {
            yield return new Case($"delete membership {id}", "DELETE", $"{acme}/memberships/{id}", null);
            yield return new Case($"change membership {id}", "PUT", $"{acme}/memberships/{id}", "{\"role\":\"OrganizationAdministrator\"}");
            yield return new Case($"reset membership {id}", "POST", $"{acme}/memberships/{id}/password-reset", null);
        }

        foreach (var id in new[] { "0", "-1", "999999" })
        {
            yield return new Case($"revoke key {id}", "DELETE", $"{acme}/integration-keys/{id}", null);
        }

        if (w.AdminMembership is { } lastAdmin)
        {
            yield return new Case("remove the last administrator", "DELETE", $"{acme}/memberships/{lastAdmin}", null);
            yield return new Case("demote the last administrator", "PUT", $"{acme}/memberships/{lastAdmin}", "{\"role\":\"EventTeam\",\"eventId\":" + w.Summit + "}");
        }

        foreach (var batch in new[] { "nope", "%00", "00000000-0000-0000-0000-000000000000", new string('a', 300) })
        {
            yield return new Case($"batch {batch[..Math.Min(10, batch.Length)]}", "GET", $"{acme}/participant-batches/{Uri.EscapeDataString(batch)}", null);
        }

        // Queries: limits, cursors and filters out of their domain.
        var queries = new Dictionary<string, string[]>
        {
            ["/events"] = ["status=bogus", "status=LIVE", "status=live%00", "missingOnly=maybe", "missingOnly=2"],
            [$"/events/{w.Summit}/entitlements"] = ["limit=0", "limit=-1", "limit=100001", "limit=abc", "limit=1.5", "cursor=garbage", "cursor=%00%01", "cursor=" + new string('A', 2000)],
            ["/transactions"] = ["limit=0", "limit=-1", "limit=100001", "limit=abc", "cursor=garbage", "cursor=eyJ4IjoxfQ", "kind=bogus", "kind=TRANSFER", "eventId=abc", "eventId=-1", "productCode=%00"],
            ["/transactions/export"] = ["format=pdf", "format=CSV%00", "kind=bogus", "eventId=abc"],
            ["/audit"] = ["limit=0", "limit=-1", "limit=abc", "cursor=garbage"],
            ["/alerts"] = ["state=bogus", "state=OPEN", "state=open%00"],
            ["/audit/export"] = ["format=pdf", "format=xlsx%00"],
            ["/pools/export"] = ["format=pdf", "format=XLSX "],
            [$"/events/{w.Summit}/participants"] = ["limit=0", "limit=-1", "limit=501", "limit=abc", "cursor=garbage!", "cursor=%00", "cursor=" + new string('A', 2000),
                "counted=maybe", "activated=2", "state=gone", "state=Cancelled", "state=cancelled%00", "q=%00", "q=" + new string('q', 201)],
            [$"/events/{w.Summit}/participants/history"] = ["participantRef=", "participantRef=%00", "participantRef=" + new string('r', 201), "participantRef=no-such-participant"],
            [$"/events/{w.Summit}/participants/export"] = ["format=pdf", "format=csv&state=gone", "format=xlsx&counted=maybe", "format=csv&q=%01"],
            ["/events/export"] = ["format=pdf", "status=bogus", "status=LIVE", "missingOnly=maybe", "format=csv&status=past%00"],
        };
        foreach (var (path, list) in queries)
        {
            foreach (var query in list)
            {
                yield return new Case($"GET {path}?{query}", "GET", $"{acme}{path}?{query}", null);
            }
        }

        // A batch over the limit, and a body far beyond any request size.
        var many = string.Join(",", Enumerable.Range(0, 10_001).Select(i => $"{{\"changeId\":\"m{i}\",\"participantRef\":\"p{i}\",\"type\":\"added\",\"occurredAt\":\"2026-11-01T10:00:00Z\"}}"));
        yield return new Case("a batch of 10,001 changes", "POST", $"{acme}/events/{w.Summit}/participant-changes", "{\"changes\":[" + many + "]}");
        yield return new Case("a 40 MB body", "POST", $"{acme}/events/{w.Summit}/transfers", "{\"productCode\":\"" + new string('x', 40_000_000) + "\"}");

        string TransferBody() => $"{{\"productCode\":\"{ProductCodes.Subscription}\",\"quantity\":1,\"idempotencyKey\":\"{Guid.NewGuid():N}\"}}";
    }

    /// <summary>Hostile-looking values a field accepts by design: they stay out of the "must be refused" list.</summary>
    private static bool IsValidFor(string endpoint, Field field, string label) => (endpoint, field.Name, label) switch
    {
        (_, _, "null") when field.Kind is Kind.OptionalText => true,

        // A transfer without a quantity takes what the event is missing.
        ("transfer", "quantity", "null") => true,

        // A new product's code may be any code not taken yet, and a product may be a subscription.
        ("add product", "code", "unknown") or ("add product", "kind", "lower case") => true,

        // A correction may take entitlements away.
        ("adjustment", "quantity", "negative") => true,
        _ => false,
    };

    private static bool IsOptional(string endpoint, Field field) =>
        field.Kind is Kind.OptionalText or Kind.OptionalEventId or Kind.Modules || (endpoint, field.Name) is ("transfer", "quantity") or ("integration key", "scopes") or ("sync event", "status");

    private static IEnumerable<(string Label, string Body, string Type)> Structural(string valid)
    {
        yield return ("an empty body", "", Json);
        yield return ("null", "null", Json);
        yield return ("an array", "[" + valid + "]", Json);
        yield return ("a string", Q(valid), Json);
        yield return ("a number", "1", Json);
        yield return ("truncated", valid[..(valid.Length / 2)], Json);
        yield return ("an unclosed object", "{", Json);
        yield return ("a trailing comma", valid[..^1] + ",}", Json);
        yield return ("a comment", "/* c */" + valid, Json);
        yield return ("single quotes", valid.Replace('"', '\''), Json);
        yield return ("nested 300 deep", valid[..^1] + ",\"x\":" + new string('[', 300) + new string(']', 300) + "}", Json);
        var firstString = valid.IndexOf(":\"", StringComparison.Ordinal);
        yield return ("invalid UTF-8", firstString < 0 ? valid[..^1] + ",\"x\":\"" + InvalidUtf8 + "\"}" : valid.Insert(firstString + 2, InvalidUtf8), Json);
        yield return ("as text/plain", valid, "text/plain");
        yield return ("as a form", "a=1", "application/x-www-form-urlencoded");
        yield return ("as XML", "<transfer/>", "application/xml");
    }

    private static readonly (string Label, string Value)[] FormQuantities =
    [
        ("letters", "abc"), ("zero", "0"), ("negative", "-1"), ("fraction", "1.5"), ("exponent", "1e2"), ("overflow", "2147483648"), ("huge", "99999999999999999999999"),
        ("spaces", " 1 2 "), ("NUL", "1\0"), ("empty", ""), ("beyond the balance", "100000000"), ("hex", "0x10"),
    ];

    private static readonly (string Label, string Value)[] FormLongQuantities =
    [
        ("letters", "abc"), ("zero", "0"), ("fraction", "1.5"), ("exponent", "1e2"), ("overflow", "9223372036854775808"), ("huge", "99999999999999999999999"),
        ("spaces", " 1 2 "), ("NUL", "1\0"), ("empty", ""), ("hex", "0x10"),
    ];

    private static readonly (string Label, string Value)[] FormCodes =
    [
        ("unknown", "NOPE"), ("lower case", "subscription"), ("padded", " SUBSCRIPTION"), ("NUL", "SUBSCRIPTION\0"), ("script", "<script>x</script>"), ("long", LongText), ("empty", ""),
    ];

    private static readonly (string Label, string Value)[] FormTexts =
    [
        ("empty", ""), ("blank", "   "), ("NUL", "a\0b"), ("bell", "a\u0007b"), ("newline", "a\nb"), ("too long", LongText),
    ];

    private static readonly (string Label, string Value)[] FormEmails =
    [
        ("empty", ""), ("no at", "nobody"), ("two ats", "a@b@c.example"), ("NUL", "a\0@b.example"), ("too long", new string('a', 300) + "@b.example"), ("spaces", "a b@c.example"),
        ("angle", "<a@b.example>"),
    ];

    private static readonly (string Label, string Value)[] FormRoles =
    [
        ("unknown", "Owner"), ("lower case", "organizationadministrator"), ("ops", "Ops"), ("number", "0"), ("empty", ""), ("NUL", "OrganizationAdministrator\0"),
        ("team without an event", "EventTeam"), ("team of another organization's event", "EventTeam:GLOBEX"), ("team of no event", "EventTeam:999999"),
    ];

    private static IEnumerable<(string Name, byte[] Content)> CsvCases()
    {
        const string header = "changeId,participantRef,type,occurredAt\n";
        byte[] Csv(string rows) => Encoding.UTF8.GetBytes(header + rows);
        yield return ("empty file", []);
        yield return ("header only", Csv(""));
        yield return ("wrong header", Encoding.UTF8.GetBytes("id,who,what,when\nc1,p1,added,2026-11-01T10:00:00Z\n"));
        yield return ("binary", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 256))]);
        yield return ("a zip file", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
        yield return ("UTF-16", Encoding.Unicode.GetBytes(header + "c1,p1,added,2026-11-01T10:00:00Z\n"));
        yield return ("missing column", Csv("c1,p1,added\n"));
        yield return ("extra column", Csv("c1,p1,added,2026-11-01T10:00:00Z,extra\n"));
        yield return ("unknown type", Csv("c1,p1,joined,2026-11-01T10:00:00Z\n"));
        yield return ("padded type", Csv("c1,p1,\"added \",2026-11-01T10:00:00Z\n"));
        yield return ("upper-case type", Csv("c1,p1,ADDED,2026-11-01T10:00:00Z\n"));
        yield return ("year 1", Csv("c1,p1,added,0001-01-01T00:00:00Z\n"));
        yield return ("year 9999", Csv("c1,p1,added,9999-12-31T00:00:00Z\n"));
        yield return ("no offset", Csv("c1,p1,added,2026-11-01T10:00:00\n"));
        yield return ("not a date", Csv("c1,p1,added,tomorrow\n"));
        yield return ("NUL in a date", Csv("c1,p1,added,2026-11-01T10:00:00Z\0\n"));
        yield return ("NUL in a reference", Csv("c1,p\01,added,2026-11-01T10:00:00Z\n"));
        yield return ("empty change id", Csv(",p1,added,2026-11-01T10:00:00Z\n"));
        yield return ("empty participant", Csv("c1,,added,2026-11-01T10:00:00Z\n"));
        yield return ("long reference", Csv("c1," + new string('p', 300) + ",added,2026-11-01T10:00:00Z\n"));
        yield return ("unclosed quote", Csv("\"c1,p1,added,2026-11-01T10:00:00Z\n"));
        yield return ("one bad row among good ones", Csv("c1,p1,added,2026-11-01T10:00:00Z\nc2,p2,added,2026-11-01T10:00:00Z\nc3,p3,bogus,2026-11-01T10:00:00Z\n"));
        yield return ("duplicate change id with another body", Csv("c1,p1,added,2026-11-01T10:00:00Z\nc1,p2,added,2026-11-01T10:00:00Z\n"));
        yield return ("duplicate change id, padded, with another body", Csv("c1,p1,added,2026-11-01T10:00:00Z\n\"c1 \",p2,added,2026-11-01T10:00:00Z\n"));
        yield return ("duplicate change id, padded in front", Csv(" c7,p1,added,2026-11-01T10:00:00Z\nc7,p1,cancelled,2026-11-01T11:00:00Z\n"));
        yield return ("right-to-left override in a reference", Csv("c1,p\u202E1,added,2026-11-01T10:00:00Z\n"));
        yield return ("formula", Csv("=1+1,p1,added,2026-11-01T10:00:00Z\n=2,p2,added,tomorrow\n"));
        yield return ("over the batch limit", Csv(string.Concat(Enumerable.Range(0, 10_001).Select(i => $"c{i},p{i},added,2026-11-01T10:00:00Z\n"))));
    }

    /// <summary>The ids the cases aim at.</summary>
    private sealed record World(int Acme, int Globex, int Initech, int Summit, int OtherAcmeEvent, int GlobexEvent, int TeamMembership, int? AdminMembership, int GlobexMembership,
        string HeldModule, string FreeModule)
    {
        public static async Task<World> Load(AppFactory app) => await app.WithDb(async db =>
        {
            var acme = await db.Organizations.Where(o => o.Name == "Acme Events").Select(o => o.Id).SingleAsync();
            var globex = await db.Organizations.Where(o => o.Name == "Globex Live").Select(o => o.Id).SingleAsync();
            var initech = await db.Organizations.Where(o => o.Name == "Initech Meetups").Select(o => o.Id).SingleAsync();
            var summit = await db.Events.Include(e => e.Products).SingleAsync(e => e.Name == "Acme Summit 2026");
            var other = await db.Events.Where(e => e.OrganizationId == acme && e.Id != summit.Id).Select(e => e.Id).FirstAsync();
            var globexEvent = await db.Events.Where(e => e.OrganizationId == globex).Select(e => e.Id).FirstAsync();
            var team = await db.Memberships.Where(m => m.OrganizationId == acme && m.Role == Role.EventTeam).Select(m => m.Id).FirstAsync();
            var admins = await db.Memberships.Where(m => m.OrganizationId == acme && m.Role == Role.OrganizationAdministrator).Select(m => m.Id).ToListAsync();
            var globexMember = await db.Memberships.Where(m => m.OrganizationId == globex).Select(m => m.Id).FirstAsync();
            var held = summit.Products.FirstOrDefault(p => p.ProductCode != ProductCodes.Subscription && p.Allocated > 0)?.ProductCode;
            var free = summit.Products.FirstOrDefault(p => p.ProductCode != ProductCodes.Subscription && p.Allocated == 0)?.ProductCode;
            return new World(acme, globex, initech, summit.Id, other, globexEvent, team, admins.Count == 1 ? admins[0] : null, globexMember,
                held ?? ProductCodes.LeadRetrieval, free ?? ProductCodes.Gamification);
        });
    }
}
