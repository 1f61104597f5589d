using Coordination.ServiceDefaults.Hosting;

namespace Coordination.Supervision;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5082",
        ["Messaging:Transport"] = "RabbitMq",
        ["Database:Provider"] = "Sqlite",
    };

    public static async Task<int> Main(string[] args)
    {
        if (CoordinationHost.TryRunCommand(args, Defaults) is { } exitCode) return exitCode;
        await Build(args).RunAsync();
        return 0;
    }

    /// <summary>The Supervision service alone, on RabbitMQ by default; tests start it the same way.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CoordinationHost.CreateBuilder(args, Defaults);
        builder.AddServiceDefaults("coordination-supervision");
        builder.AddSupervisionService();
        configure?.Invoke(builder);
        return builder.BuildCoordinationApp();
    }
}
