using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Coordination.Demo;

/// <summary>
/// The demo's commands: <c>dev-token</c> (also forwarded by the all-in-one host), and, in the demo image,
/// <c>seed</c> and <c>console-principals</c>. Development only: elsewhere no host trusts the key a token would be
/// signed with, and none must be left on the disk.
/// </summary>
public static class DemoCommands
{
    /// <summary>
    /// <c>dev-token &lt;principal&gt; [--setting=value…]</c>, run with the host's defaults as the host would read its
    /// configuration (the same key file); null for anything else.
    /// </summary>
    public static int? TryRunDevToken(string[] args, IReadOnlyDictionary<string, string?> hostDefaults)
    {
        if (args.Length == 0 || args[0] != "dev-token")
            return null;
        var (positional, builder) = Split(args, hostDefaults);
        return DevToken(positional, builder.Configuration, builder.Environment, Console.Out, Console.Error);
    }

    /// <summary>The demo image's entry point.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (TryRunDevToken(args, new Dictionary<string, string?>()) is { } exitCode)
            return exitCode;
        switch (args.FirstOrDefault())
        {
            case "seed":
            {
                var (_, builder) = Split(args, new Dictionary<string, string?>());
                return await SeedAsync(builder.Configuration, builder.Environment, output, error);
            }
            case "console-principals":
                // As an env file (podman run --env-file): the console's development sign-in list.
                foreach (var (key, value) in DemoPrincipals.ConsoleSettings)
                    output.WriteLine($"{key.Replace(":", "__", StringComparison.Ordinal)}={value}");
                return 0;
            default:
                error.WriteLine(
                    """
                    usage: seed                      the demo data, through Demo:GatewayUrl (and Demo:SupervisionUrl, waited for)
                           dev-token <principal>     a development token (dev-token --list: the demo principals)
                           console-principals        the console's Console__DevelopmentPrincipals__<n> settings
                    """
                );
                return 2;
        }
    }

    /// <summary>
    /// <c>dev-token &lt;principal&gt;</c> prints a token; <c>dev-token --list</c> lists the demo principals.
    /// Returns the process exit code.
    /// </summary>
    public static int DevToken(
        string[] arguments,
        IConfiguration configuration,
        IHostEnvironment environment,
        TextWriter output,
        TextWriter error
    )
    {
        if (Refused(configuration, environment, error, "dev-token") is { } refused)
            return refused;
        var options = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        if (arguments.Length == 0 || arguments[0] == "--list")
        {
            foreach (var p in DemoPrincipals.All)
                output.WriteLine(
                    $"{p.Name, -20} {CoordinationClaims.Word(p.Kind), -14} {CoordinationClaims.Word(p.Role), -28} "
                        + string.Join(",", p.Territories)
                );
            return arguments.Length == 0 ? 2 : 0;
        }
        DevelopmentPrincipal principal;
        try
        {
            principal = DemoPrincipals.Named(arguments[0]);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }

        var key = SigningKeys.LoadOrCreateDevelopmentKey(SigningKeys.DevelopmentKeyPath(configuration, options));
        output.WriteLine(DevelopmentTokens.Issue(principal, key, options, DateTimeOffset.UtcNow));
        return 0;
    }

    /// <summary>
    /// <c>seed</c>: <see cref="DemoSeed"/> against <c>Demo:GatewayUrl</c> (and Supervision's copy at <c>Demo:SupervisionUrl</c>
    /// when given), retried until <c>Demo:SeedTimeout</c> (default 3 minutes) while the services start.
    /// </summary>
    public static async Task<int> SeedAsync(IConfiguration configuration, IHostEnvironment environment, TextWriter output, TextWriter error)
    {
        if (Refused(configuration, environment, error, "seed") is { } refused)
            return refused;
        if (!Uri.TryCreate(configuration["Demo:GatewayUrl"], UriKind.Absolute, out var gatewayUrl))
        {
            error.WriteLine("seed: Demo:GatewayUrl (Demo__GatewayUrl) is the gateway's address, e.g. http://gateway:8080.");
            return 2;
        }
        Uri? supervisionUrl = null;
        if (configuration["Demo:SupervisionUrl"] is { Length: > 0 } given && !Uri.TryCreate(given, UriKind.Absolute, out supervisionUrl))
        {
            error.WriteLine($"seed: Demo:SupervisionUrl '{given}' is not an address.");
            return 2;
        }
        var options = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        var keyFile = SigningKeys.DevelopmentKeyPath(configuration, options);
        var deadline = DateTimeOffset.UtcNow + configuration.GetValue("Demo:SeedTimeout", TimeSpan.FromMinutes(3));
        while (true)
        {
            try
            {
                var token = DemoSeed.SeederToken(keyFile, options);
                using var gateway = DemoSeed.ClientFor(gatewayUrl, token);
                using var supervision = supervisionUrl is null ? null : DemoSeed.ClientFor(supervisionUrl, token);
                var registered = await DemoSeed.RunAsync(gateway, supervision);
                output.WriteLine(
                    registered.Count == 0
                        ? "demo data already in place: nothing registered"
                        : $"demo data registered: {string.Join(", ", registered)}"
                );
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException)
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    error.WriteLine($"seed: gave up: {e.Message}");
                    return 1;
                }
                error.WriteLine($"seed: not yet ({e.Message}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
        }
    }

    private static int? Refused(IConfiguration configuration, IHostEnvironment environment, TextWriter error, string command)
    {
        if (!environment.IsDevelopment())
        {
            error.WriteLine(
                $"{command} works only in the Development environment (ASPNETCORE_ENVIRONMENT=Development); "
                    + $"this host runs as '{environment.EnvironmentName}', where tokens come from the territory's identity provider."
            );
            return 2;
        }
        var options = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        if (options.SigningKeyFiles.Length > 0)
        {
            error.WriteLine($"Authentication:SigningKeyFiles is set: tokens come from your identity provider, not from {command}.");
            return 2;
        }
        return null;
    }

    /// <summary>
    /// The command's words up to the first <c>--setting</c> (<c>--list</c> is a word), and a builder of the rest, as the host's.
    /// </summary>
    private static (string[] Positional, Microsoft.AspNetCore.Builder.WebApplicationBuilder Builder) Split(
        string[] args,
        IReadOnlyDictionary<string, string?> hostDefaults
    )
    {
        var rest = args[1..];
        var positional = rest.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal) || a == "--list").ToArray();
        return (positional, CoordinationHost.CreateBuilder(rest[positional.Length..], hostDefaults));
    }
}
