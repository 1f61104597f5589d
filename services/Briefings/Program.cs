using Coordination.ServiceDefaults.Hosting;

namespace Coordination.Briefings;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5081",
        ["Messaging:Transport"] = "RabbitMq",
        ["Database:Provider"] = "Sqlite",
    };

    public static Task<int> Main(string[] args) => CoordinationHost.RunAsync(args, Defaults, a => Build(a));

    /// <summary>The Briefings service alone, on RabbitMQ by default; tests start it the same way.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        CoordinationHost.Build(args, Defaults, "coordination-briefings", b => b.AddBriefingsService(), configure);
}
