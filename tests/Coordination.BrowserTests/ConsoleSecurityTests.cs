using System.Net;
using System.Text.RegularExpressions;
using Coordination.BrowserTests.Support;
using Xunit.Abstractions;

namespace Coordination.BrowserTests;

/// <summary>What the console promises over HTTP, checked without a browser: sign-in, cookies, anti-forgery, CSP.</summary>
public sealed partial class ConsoleSecurityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_sign_in_is_refused_outside_Development()
    {
        await using var system = await ConsoleSystem.StartAsync("--environment=Production");
        using var http = Client(system);
        var page = await http.GetAsync("/console/connexion-demo");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var post = await http.PostAsync(
            "/console/connexion-demo",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["principal"] = "secretariat-75" })
        );
        Assert.False(post.IsSuccessStatusCode || (int)post.StatusCode is >= 300 and < 400, $"demo sign-in answered {(int)post.StatusCode}");
        Assert.DoesNotContain(Cookies(post), c => c.StartsWith("coordination-console=", StringComparison.Ordinal));

        // With no identity provider configured, the console sends to sign-in, which says it is not configured: fail closed.
        var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/console/connexion", home.Headers.Location!.PathAndQuery);
        var signIn = await http.GetAsync("/console/connexion");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.StatusCode);
        Assert.Contains("La connexion n&#x27;est pas configur", await signIn.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cookies_are_secure_and_same_site_forms_carry_anti_forgery_and_pages_have_no_inline_script_or_style()
    {
        await using var system = await ConsoleSystem.StartAsync();
        using var http = Client(system);

        var signInPage = await http.GetAsync("/console/connexion-demo");
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        var policy = string.Join(";", signInPage.Headers.GetValues("Content-Security-Policy"));
        output.WriteLine($"Content-Security-Policy: {policy}");
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("style-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        var antiforgeryCookie = Assert.Single(
            Cookies(signInPage),
            c => c.StartsWith("coordination-console-antiforgery=", StringComparison.Ordinal)
        );
        // Secure only over HTTPS in Development (antiforgery refuses a Secure cookie on plain HTTP); always Secure elsewhere.
        AssertAttributes(antiforgeryCookie, "samesite=strict", "httponly");
        var html = await signInPage.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html).Groups[1].Value;
        Assert.NotEmpty(token);

        // Without the anti-forgery token, the form is refused.
        var forged = await http.SendAsync(Post("/console/connexion-demo", antiforgeryCookie, ("principal", "secretariat-75")));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(Cookies(forged), c => c.StartsWith("coordination-console=", StringComparison.Ordinal));

        var signedIn = await http.SendAsync(
            Post("/console/connexion-demo", antiforgeryCookie, ("principal", "secretariat-75"), ("__jeton", token))
        );
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Assert.Single(Cookies(signedIn), c => c.StartsWith("coordination-console=", StringComparison.Ordinal));
        AssertAttributes(session, "secure", "samesite=lax", "httponly");

        // Every screen: no inline script, no inline style, no resource from elsewhere, French, a skip link.
        var cookie = $"{session.Split(';')[0]}; {antiforgeryCookie.Split(';')[0]}";
        foreach (
            var path in new[]
            {
                "/",
                "/console/reunions",
                "/console/avis",
                "/console/suivi",
                "/console/rapports",
                "/console/regles",
                "/console/graphiques",
            }
        )
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", cookie);
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(InlineScript(), body);
            Assert.DoesNotMatch(InlineStyle(), body);
            Assert.DoesNotMatch(ExternalResource(), body);
            Assert.Contains("<html lang=\"fr\">", body);
            Assert.Contains("href=\"#contenu\"", body);
            Assert.All(
                Forms().Matches(body),
                form =>
                    Assert.True(
                        !form.Value.Contains("method=\"post\"") || form.Value.Contains("name=\"__jeton\""),
                        $"{path}: a POST form without anti-forgery token"
                    )
            );
            Assert.NotNull(response.Headers.GetValues("Content-Security-Policy").SingleOrDefault());
        }
    }

    private static void AssertAttributes(string setCookie, params string[] attributes)
    {
        var parts = setCookie.Split(';').Select(p => p.Trim().ToLowerInvariant()).ToList();
        foreach (var a in attributes)
            Assert.True(
                parts.Contains(a),
                $"Set-Cookie '{setCookie.Split(';')[0].Split('=')[0]}' lacks {a}: {string.Join("; ", parts.Skip(1))}"
            );
    }

    private static HttpClient Client(ConsoleSystem system) =>
        // Cookies by hand: a cookie container would not send Secure cookies over the tests' http://127.0.0.1.
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = system.BaseAddress };

    private static HttpRequestMessage Post(string path, string cookie, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        return request;
    }

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    [GeneratedRegex("name=\"__jeton\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<style|\\sstyle=\"|\\son[a-z]+=\"", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyle();

    [GeneratedRegex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalResource();

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex Forms();
}
