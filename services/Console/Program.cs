using Coordination.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Coordination.WebConsole;

public static class Program
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Urls"] = "http://localhost:5086",
    };

    public static async Task<int> Main(string[] args)
    {
        if (CoordinationHost.TryRunCommand(args, Defaults) is { } exitCode)
            return exitCode;
        await Build(args).RunAsync();
        return 0;
    }

    /// <summary>
    /// The console alone (the distributed layout): no bus and no database, only the services' APIs,
    /// named by <c>Console:Apis:&lt;service&gt;</c> or <c>Console:ApiBaseUrl</c>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CoordinationHost.CreateBuilder(args, Defaults);
        builder.AddServiceDefaults("coordination-console");
        builder.AddConsoleService();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains("ready") }).AllowAnonymous();
        foreach (var map in builder.Registry().Endpoints)
            map(app);
        return app;
    }
}
