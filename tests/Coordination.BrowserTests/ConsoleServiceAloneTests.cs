using System.Net;
using System.Text.RegularExpressions;
using Coordination.BrowserTests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.BrowserTests;

/// <summary>The distributed layout: the console as its own service, calling the APIs of another host over HTTP.</summary>
public sealed partial class ConsoleServiceAloneTests
{
    [Fact]
    public async Task The_console_alone_shows_what_the_services_answer_for_the_signed_in_user()
    {
        await using var services = await ConsoleSystem.StartAsync();
        await using var console = Coordination.WebConsole.Program.Build([
            "--environment=Development",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Console:ApiBaseUrl={services.BaseAddress}",
            // The demo's shared development token key (compose: the dev-keys volume).
            $"--Authentication:DevelopmentKeyFile={Path.Combine(services.Folder, "dev-signing-key.pem")}",
            // Whom its development sign-in offers: the demo's operators and auditor, as compose gives them.
            .. DemoPrincipals.ConsoleSettings.Select(e => $"--{e.Key}={e.Value}"),
        ]);
        await console.StartAsync();
        var address = new Uri(console.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };

        var signInPage = await http.GetAsync("/console/connexion-demo");
        var antiforgery = signInPage
            .Headers.GetValues("Set-Cookie")
            .Single(c => c.StartsWith("coordination-console-antiforgery=", StringComparison.Ordinal))
            .Split(';')[0];
        var token = Field().Match(await signInPage.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/console/connexion-demo")
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string> { ["principal"] = "security-staff-93", ["__jeton"] = token }
            ),
        };
        post.Headers.Add("Cookie", antiforgery);
        var signedIn = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = signedIn
            .Headers.GetValues("Set-Cookie")
            .Single(c => c.StartsWith("coordination-console=", StringComparison.Ordinal))
            .Split(';')[0];

        using var home = new HttpRequestMessage(HttpMethod.Get, "/");
        home.Headers.Add("Cookie", session);
        var dashboard = await http.SendAsync(home);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        // The rules in force of 93 came from the services' gateway API, with this user's token; 75 is not shown.
        Assert.Contains("id=\"regles-version-93\"", html);
        Assert.DoesNotContain("territoire-75", html);

        using var audit = new HttpRequestMessage(HttpMethod.Get, "/console/audit");
        audit.Headers.Add("Cookie", session);
        var refused = await http.SendAsync(audit);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(
            "ne fait pas partie de ceux auxquels vous avez acc",
            WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync())
        );
        await console.StopAsync();
    }

    [GeneratedRegex("name=\"__jeton\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Field();
}
