using System.Text.RegularExpressions;
using EntitlementsLive.Web.Demo;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EntitlementsLive.Web.Tests;

/// <summary>Signs in through the real sign-in page (with its anti-forgery token), as a browser does.</summary>
public static partial class Browserless
{
    public static async Task<HttpClient> PagesAs(this AppFactory app, string? email)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (email is null)
        {
            return client;
        }

        var token = await AntiForgery(client, "/Account/Login");
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = DemoSeeder.Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<string> AntiForgery(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return Token(html);
    }

    /// <summary>Posts a form with the anti-forgery token of the page it came from.</summary>
    public static async Task<HttpResponseMessage> Post(HttpClient client, string url, Dictionary<string, string> form, string pageHtml)
    {
        form["__RequestVerificationToken"] = Token(pageHtml);
        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    public static string Token(string html) => TokenPattern().Match(html).Groups[1].Value;

    public static string Hidden(string html, string name) =>
        Regex.Match(html, "name=\"" + Regex.Escape(name) + "\" value=\"([^\"]*)\"").Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
