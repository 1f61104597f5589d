using Coordination.ServiceDefaults.Hosting;

namespace Coordination.Gateway;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5085",
        ["Messaging:Transport"] = "RabbitMq",
        ["Database:Provider"] = "Sqlite",
    };

    public static async Task<int> Main(string[] args)
    {
        if (CoordinationHost.TryRunCommand(args, Defaults) is { } exitCode) return exitCode;
        await Build(args).RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CoordinationHost.CreateBuilder(args, Defaults);
        builder.AddServiceDefaults("coordination-gateway");
        builder.AddGatewayService();
        configure?.Invoke(builder);
        return builder.BuildCoordinationApp();
    }
}
