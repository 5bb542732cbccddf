using System.Net;
using System.Text.RegularExpressions;

namespace EntitlementsLive.ClusterTests;

/// <summary>
/// A browser's session through the balancer: its cookies (the sign-in cookie, the anti-forgery cookie and the
/// balancer's affinity cookie) and the anti-forgery token of a page it loaded.
/// </summary>
public sealed partial class BrowserSession
{
    private readonly HttpClient _http;
    private string _token = "";

    private BrowserSession(HttpClient http) => _http = http;

    public static async Task<BrowserSession> SignIn(string baseUrl, string email)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var session = new BrowserSession(new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) });
        var login = await session._http.GetStringAsync("/Account/Login");
        using var posted = await session._http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = Cluster.Password,
            ["__RequestVerificationToken"] = Token(login),
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        session._token = Token(await session._http.GetStringAsync("/"));
        return session;
    }

    /// <summary>The home page answers signed in, and a form posted with the token loaded before still passes its check.</summary>
    public async Task ShowsSignedIn()
    {
        using var home = await _http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("/Account/Logout", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var signOut = await _http.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = _token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
    }

    private static string Token(string page) => TokenField().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("no anti-forgery token on the page");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
