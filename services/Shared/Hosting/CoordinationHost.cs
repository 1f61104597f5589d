using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;

namespace Coordination.ServiceDefaults.Hosting;

public static class CoordinationHost
{
    /// <summary>Quiet framework logs unless configured otherwise.</summary>
    public static readonly IReadOnlyDictionary<string, string?> CommonDefaults = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:MassTransit"] = "Warning",
    };

    /// <summary>
    /// A web application builder whose defaults are code, at the lowest priority (files, environment
    /// and command line override them). Services keep no appsettings.json: a referenced project's
    /// file would be copied beside the all-in-one host and silently change its settings.
    /// </summary>
    /// <summary>
    /// Host commands that run instead of the server: <c>sealing-key &lt;owner&gt;</c> adds a sealing key; <c>healthcheck</c> asks the
    /// running server of this host whether it is live
    /// (the containers' HEALTHCHECK: the runtime image has no curl). Returns null for a normal start.
    /// <c>dev-token</c> is the demo's (demo/Coordination.Demo): no production host issues tokens.
    /// </summary>
    public static int? TryRunCommand(string[] args, IReadOnlyDictionary<string, string?> hostDefaults)
    {
        if (args.Length == 0 || args[0] is not ("sealing-key" or "healthcheck"))
            return null;
        var rest = args[1..];
        var positional = rest.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var builder = CreateBuilder(rest[positional.Length..], hostDefaults);
        return args[0] switch
        {
            "sealing-key" => SealingKeyCommand(positional, builder.Configuration, Console.Out, Console.Error, builder.Environment),
            _ => HealthCheckCommand(positional, builder.Configuration, Console.Out, Console.Error),
        };
    }

    /// <summary>
    /// <c>healthcheck [path]</c>: GETs <c>/health/live</c> (or the path given, e.g. <c>/health/ready</c>)
    /// on the first address this host listens on (<c>Urls</c>, <c>ASPNETCORE_URLS</c>; a wildcard host
    /// is asked on localhost), and exits 0 on a 2xx answer within 5 seconds, 1 otherwise.
    /// </summary>
    public static int HealthCheckCommand(
        string[] arguments,
        Microsoft.Extensions.Configuration.IConfiguration configuration,
        TextWriter output,
        TextWriter error
    )
    {
        var path = arguments.Length > 0 ? arguments[0] : "/health/live";
        if (arguments.Length > 1 || !path.StartsWith('/'))
        {
            error.WriteLine("usage: healthcheck [/health/live|/health/ready]");
            return 2;
        }
        var urls = configuration["Urls"] ?? configuration["urls"] ?? "http://localhost:8080";
        var first =
            urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? "http://localhost:8080";
        var target = new Uri(LocalAddressOf(first) + path);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = http.GetAsync(target).GetAwaiter().GetResult();
            if (response.IsSuccessStatusCode)
            {
                output.WriteLine($"{target}: {(int)response.StatusCode}");
                return 0;
            }
            error.WriteLine($"{target}: {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error.WriteLine($"{target}: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// A listening address as a client reaches it from the same machine: <c>+</c>, <c>*</c>, <c>0.0.0.0</c> and <c>[::]</c> become
    /// localhost.
    /// </summary>
    public static string LocalAddressOf(string listenUrl)
    {
        var schemeEnd = listenUrl.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
            throw new FormatException($"'{listenUrl}' is not a URL.");
        var scheme = listenUrl[..schemeEnd];
        var rest = listenUrl[(schemeEnd + 3)..].TrimEnd('/');
        var portStart = rest.LastIndexOf(':');
        var (host, port) = portStart > rest.LastIndexOf(']') ? (rest[..portStart], rest[portStart..]) : (rest, "");
        if (host is "+" or "*" or "0.0.0.0" or "[::]")
            host = "localhost";
        return $"{scheme}://{host}{port}";
    }

    /// <summary>
    /// <c>sealing-key &lt;owner&gt;</c> adds a new sealing key for a platform owner (a service such as
    /// <c>supervision</c>, the gateway's own <c>gateway</c> and <c>gateway-vault</c>; an agency such
    /// as <c>75-association</c> only in the demo) under <c>Sealing:KeyDirectory</c>, and prints its id and public key.
    /// Older keys stay, so messages sealed for them still open: that is rotation.
    /// </summary>
    public static int SealingKeyCommand(
        string[] arguments,
        Microsoft.Extensions.Configuration.IConfiguration configuration,
        TextWriter output,
        TextWriter error,
        Microsoft.Extensions.Hosting.IHostEnvironment? environment = null
    )
    {
        if (arguments.Length != 1 || string.IsNullOrWhiteSpace(arguments[0]) || arguments[0].IndexOfAny(['/', '\\', '.']) >= 0)
        {
            error.WriteLine("usage: sealing-key <owner>   (e.g. supervision, gateway, 75-association)");
            return 2;
        }
        var store = Sealing.SealingKeyStore.From(configuration, environment);
        string keyId;
        try
        {
            keyId = store.Rotate(arguments[0]);
        }
        catch (InvalidOperationException e)
        {
            // An agency's private key is the agency's own (rule 9): outside the demo it registers its public key instead.
            error.WriteLine(e.Message);
            return 2;
        }
        var current = store.CurrentKeyOf(arguments[0]);
        output.WriteLine($"owner {arguments[0]}, new key {keyId} in {Path.Combine(store.Directory, arguments[0])}");
        output.WriteLine(
            new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", current.PublicKey.ExportSubjectPublicKeyInfo()))
        );
        return 0;
    }

    /// <summary>
    /// A host of one or more services: defaults in code, service defaults, the services, then the test's or caller's additions.
    /// </summary>
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, string?> hostDefaults,
        string hostName,
        Action<WebApplicationBuilder> addServices,
        Action<WebApplicationBuilder>? configure = null
    )
    {
        var builder = CreateBuilder(args, hostDefaults);
        builder.AddServiceDefaults(hostName);
        addServices(builder);
        configure?.Invoke(builder);
        return builder.BuildCoordinationApp();
    }

    /// <summary>A service host's Main: a host command (sealing-key, healthcheck), or the server until shutdown.</summary>
    public static async Task<int> RunAsync(
        string[] args,
        IReadOnlyDictionary<string, string?> hostDefaults,
        Func<string[], WebApplication> build
    )
    {
        if (TryRunCommand(args, hostDefaults) is { } exitCode)
            return exitCode;
        await build(args).RunAsync();
        return 0;
    }

    public static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?> hostDefaults)
    {
        var builder = WebApplication.CreateBuilder(args);
        var defaults = new Dictionary<string, string?>(CommonDefaults);
        foreach (var (key, value) in hostDefaults)
            defaults[key] = value;
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        return builder;
    }
}
