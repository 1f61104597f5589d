using System.Security.Claims;
using Coordination.WebConsole;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// infra/k8s runs two console instances behind one Service: a user's next request may reach the other one.
/// With Console:KeyRingDirectory on a shared volume, either instance reads the session cookie the other wrote;
/// an instance with a key ring of its own cannot.
/// </summary>
public sealed class ConsoleKeyRingTests
{
    private static WebApplication Console(string? keyRing, string folder) =>
        Coordination.WebConsole.Program.Build([
            "--environment=Production",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Authentication:DevelopmentKeyFile={Path.Combine(folder, "unused.pem")}",
            .. keyRing is null ? Array.Empty<string>() : [$"--Console:KeyRingDirectory={keyRing}"],
        ]);

    private static ISecureDataFormat<AuthenticationTicket> CookieFormat(WebApplication console) =>
        console
            .Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(ConsoleAuthentication.CookieScheme)
            .TicketDataFormat;

    [Fact]
    public void Two_consoles_on_one_key_ring_read_each_others_session_cookie_and_a_third_with_its_own_cannot()
    {
        var folder = Directory.CreateTempSubdirectory("coordination-console-key-ring-").FullName;
        try
        {
            var keyRing = Path.Combine(folder, "key-ring");
            using var first = Console(keyRing, folder);
            using var second = Console(keyRing, folder);
            using var alone = Console(Path.Combine(folder, "another-key-ring"), folder);
            var identity = new ClaimsIdentity([new Claim("sub", "secretariat-75")], ConsoleAuthentication.CookieScheme, "sub", "role");
            var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), ConsoleAuthentication.CookieScheme);
            var cookie = CookieFormat(first).Protect(ticket);

            Assert.Equal("secretariat-75", CookieFormat(second).Unprotect(cookie)?.Principal.Identity?.Name);
            Assert.Null(CookieFormat(alone).Unprotect(cookie));
            // The key ring is on the shared folder, not in the instance's home (a read-only root filesystem).
            Assert.NotEmpty(Directory.GetFiles(keyRing, "key-*.xml"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
