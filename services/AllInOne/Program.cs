using Coordination.Demo;
using Coordination.ServiceDefaults.Hosting;

namespace Coordination.AllInOne;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // dev-token is the demo project's command, run with this host's settings (the key file it trusts).
        if (
            (
                DemoCommands.TryRunDevToken(AllInOneHost.AsDemo(args), AllInOneHost.Defaults)
                ?? CoordinationHost.TryRunCommand(AllInOneHost.AsDemo(args), AllInOneHost.Defaults)
            ) is
            { } exitCode
        )
            return exitCode;
        var app = AllInOneHost.Build(args);
        await app.StartAsync();
        var summary = await AllInOneHost.HealthSummaryAsync(app.Services, TimeSpan.FromSeconds(15));
        Console.WriteLine($"Coordination (all-in-one) listening on {string.Join(", ", app.Urls)}");
        Console.WriteLine($"Health: {summary}");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
