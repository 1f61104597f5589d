using Coordination.Briefings;
using Coordination.CourtReporting;
using Coordination.Gateway;
using Coordination.Opinions;
using Coordination.Supervision;
using Coordination.ServiceDefaults.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coordination.AllInOne;

/// <summary>
/// Every service in one process, each registered by the same <c>AddXxxService()</c> its own host
/// calls, on MassTransit's in-memory transport and SQLite files under <c>./data</c>.
/// </summary>
public static class AllInOneHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Lowest-priority settings: environment and command line override them.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = DefaultUrl,
        ["Messaging:Transport"] = "InMemory",
        ["Database:Provider"] = "Sqlite",
        ["Database:Directory"] = "data",
    };

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        return CoordinationHost.Build(args, Defaults, "coordination-allinone", builder =>
        {
            builder.AddGatewayService();
            builder.AddBriefingsService();
            builder.AddOpinionsService();
            builder.AddSupervisionService();
            builder.AddCourtReportingService();
        }, configure);
    }

    /// <summary>Waits briefly for every readiness check to pass and returns the one-line summary.</summary>
    public static async Task<string> HealthSummaryAsync(IServiceProvider services, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var health = services.GetRequiredService<HealthCheckService>();
        var deadline = DateTime.UtcNow + wait;
        HealthReport report;
        do
        {
            report = await health.CheckHealthAsync(cancellationToken);
            if (report.Status == HealthStatus.Healthy) break;
            await Task.Delay(250, cancellationToken);
        } while (DateTime.UtcNow < deadline);
        return ServiceDefaultsExtensions.Summarise(report);
    }
}
