using Coordination.ServiceDefaults.Hosting;

namespace Coordination.CourtReporting;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5084",
        ["Messaging:Transport"] = "RabbitMq",
        ["Database:Provider"] = "Sqlite",
    };

    public static Task<int> Main(string[] args) => CoordinationHost.RunAsync(args, Defaults, a => Build(a));

    /// <summary>The CourtReporting service alone, on RabbitMQ by default; tests start it the same way.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        CoordinationHost.Build(args, Defaults, "coordination-court-reporting", b => b.AddCourtReportingService(), configure);
}
