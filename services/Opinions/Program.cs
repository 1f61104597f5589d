using Coordination.ServiceDefaults.Hosting;

namespace Coordination.Opinions;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5083",
        ["Messaging:Transport"] = "RabbitMq",
        ["Database:Provider"] = "Sqlite",
    };

    public static Task<int> Main(string[] args) => CoordinationHost.RunAsync(args, Defaults, a => Build(a));

    /// <summary>The Opinions service alone, on RabbitMQ by default; tests start it the same way.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        CoordinationHost.Build(args, Defaults, "coordination-opinions", b => b.AddOpinionsService(), configure);
}
