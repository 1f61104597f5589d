using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Hosting;
using Coordination.Testing;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The containers' HEALTHCHECK: the runtime image has no curl, so each image runs its own binary as
/// <c>dotnet &lt;service&gt;.dll healthcheck</c>, which asks the running server for /health/live.
/// </summary>
public sealed class HealthCheckCommandTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_command_of_the_host_binary_exits_0_while_the_server_is_live_and_1_when_nothing_answers()
    {
        var live = _host.BaseAddress.ToString().TrimEnd('/');
        Assert.Equal(0, await RunAsync("healthcheck", $"--urls={live}"));
        Assert.Equal(0, await RunAsync("healthcheck", "/health/ready", $"--urls={live}"));
        Assert.Equal(1, await RunAsync("healthcheck", $"--urls=http://127.0.0.1:{ClosedPort()}"));
        Assert.Equal(1, await RunAsync("healthcheck", "/no-such-endpoint", $"--urls={live}"));
        // As in the image: the address comes from ASPNETCORE_URLS (there http://+:8080).
        Assert.Equal(0, await RunAsync(["healthcheck"], aspNetCoreUrls: live.Replace("127.0.0.1", "+")));
    }

    [Theory]
    [InlineData("http://+:8080", "http://localhost:8080")]
    [InlineData("http://*:8080/", "http://localhost:8080")]
    [InlineData("http://0.0.0.0:5081", "http://localhost:5081")]
    [InlineData("http://[::]:8080", "http://localhost:8080")]
    [InlineData("http://127.0.0.1:5085", "http://127.0.0.1:5085")]
    [InlineData("https://localhost", "https://localhost")]
    public void A_wildcard_listening_address_is_asked_on_localhost(string listen, string asked) =>
        Assert.Equal(asked, CoordinationHost.LocalAddressOf(listen));

    /// <summary>The all-in-one host's own build output, run as the image runs it: <c>dotnet &lt;dll&gt; healthcheck</c>.</summary>
    private static Task<int> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    private static async Task<int> RunAsync(string[] arguments, string? aspNetCoreUrls)
    {
        var dll = Repository.BuildOutput(Path.Combine("services", "AllInOne"), "Coordination.AllInOne.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove("ASPNETCORE_URLS");
        if (aspNetCoreUrls is not null)
            start.Environment["ASPNETCORE_URLS"] = aspNetCoreUrls;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Console.WriteLine($"healthcheck {string.Join(' ', arguments)} -> {process.ExitCode}: {await output}{await error}");
        return process.ExitCode;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
