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
    /// Host commands that run instead of the server: <c>dev-token &lt;principal&gt;</c> prints a
    /// development token signed by the key this host would validate with. Returns null for a normal start.
    /// </summary>
    public static int? TryRunCommand(string[] args, IReadOnlyDictionary<string, string?> hostDefaults)
    {
        if (args.Length == 0 || args[0] != "dev-token") return null;
        var rest = args[1..];
        var positional = rest.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal) || a == "--list").ToArray();
        var builder = CreateBuilder(rest[positional.Length..], hostDefaults);
        return Security.DevelopmentTokens.RunCommand(positional, builder.Configuration, Console.Out, Console.Error);
    }

    public static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?> hostDefaults)
    {
        var builder = WebApplication.CreateBuilder(args);
        var defaults = new Dictionary<string, string?>(CommonDefaults);
        foreach (var (key, value) in hostDefaults) defaults[key] = value;
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        return builder;
    }
}
