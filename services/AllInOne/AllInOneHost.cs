using Coordination.Briefings;
using Coordination.CourtReporting;
using Coordination.Demo;
using Coordination.Gateway;
using Coordination.Opinions;
using Coordination.ServiceDefaults.Hosting;
using Coordination.Supervision;
using Coordination.WebConsole;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coordination.AllInOne;

/// <summary>
/// Every service in one process, each registered by the same <c>AddXxxService()</c> its own host
/// calls, on MassTransit's in-memory transport and SQLite files under <c>./data</c>.
/// </summary>
public static class AllInOneHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>
    /// Lowest-priority settings: environment and command line override them. The console's development sign-in
    /// lists the demo's operators and auditor (it reads them in Development only).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>(DemoPrincipals.ConsoleSettings)
    {
        ["Urls"] = DefaultUrl,
        ["Messaging:Transport"] = "InMemory",
        ["Database:Provider"] = "Sqlite",
        ["Database:Directory"] = "data",
    };

    /// <summary>
    /// The all-in-one host is the demo: unless an environment is named (<c>ASPNETCORE_ENVIRONMENT</c>,
    /// <c>DOTNET_ENVIRONMENT</c>, <c>--environment</c>), it runs as Development, with development
    /// tokens and the demo data (seeded through the APIs at start, <see cref="DemoSeeding"/>). Said here rather than in a launch profile,
    /// whose notice
    /// <c>dotnet run</c> prints on standard output, before the token <c>dev-token</c> prints.
    /// </summary>
    public static string[] AsDemo(string[] args)
    {
        var named =
            args.Any(a => a.StartsWith("--environment", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"));
        return named ? args : [.. args, "--environment=Development"];
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        args = AsDemo(args);
        return CoordinationHost.Build(
            args,
            Defaults,
            "coordination-allinone",
            builder =>
            {
                builder.AddGatewayService();
                builder.AddBriefingsService();
                builder.AddOpinionsService();
                builder.AddSupervisionService();
                builder.AddCourtReportingService();
                // The console at the host's root URL: it calls the APIs above on this same address.
                builder.AddConsoleService();
                // Not ready until the demo data is in place, through the APIs above (Development only).
                builder.AddDemoSeedingInDevelopment();
            },
            configure
        );
    }

    /// <summary>Waits briefly for every readiness check to pass and returns the one-line summary.</summary>
    public static async Task<string> HealthSummaryAsync(
        IServiceProvider services,
        TimeSpan wait,
        CancellationToken cancellationToken = default
    )
    {
        var health = services.GetRequiredService<HealthCheckService>();
        var deadline = DateTime.UtcNow + wait;
        HealthReport report;
        do
        {
            report = await health.CheckHealthAsync(cancellationToken);
            if (report.Status == HealthStatus.Healthy)
                break;
            await Task.Delay(250, cancellationToken);
        } while (DateTime.UtcNow < deadline);
        return ServiceDefaultsExtensions.Summarise(report);
    }
}
