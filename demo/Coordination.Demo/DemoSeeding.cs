using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordination.Demo;

/// <summary>
/// The all-in-one host's demo: once its server listens, <see cref="DemoSeed"/> runs against the host's own address,
/// as the demo image runs it against the services' (the same HTTP APIs, no shortcut into a database). Until it has
/// succeeded the host's readiness (<c>/health/ready</c>) is not Healthy: nobody works on a demo half in place.
/// </summary>
public sealed class DemoSeeding(
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILogger<DemoSeeding> logger
) : BackgroundService
{
    public const string Section = "Demo";

    private static readonly int Attempts = 5;
    private readonly TaskCompletionSource<IReadOnlyList<string>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the seeding registered (empty when all was there already); faulted if it gave up.</summary>
    public Task<IReadOnlyList<string>> Completion => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Hosted services start before the server listens: the APIs answer once the application has started.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            var address = new Uri(CoordinationHost.LocalAddressOf(server.Features.Get<IServerAddressesFeature>()!.Addresses.First()));
            var options = configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
            var keyFile = SigningKeys.DevelopmentKeyPath(configuration, options);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var api = DemoSeed.ClientFor(address, DemoSeed.SeederToken(keyFile, options));
                    // Supervision runs in this host too: the demo is ready once its copy of the partners follows the directory.
                    var registered = await DemoSeed.RunAsync(api, api, stoppingToken);
                    logger.LogInformation("Demo data in place ({Count} entries registered now).", registered.Count);
                    _done.TrySetResult(registered);
                    return;
                }
                catch (Exception e) when ((e is HttpRequestException or TimeoutException) && attempt < Attempts)
                {
                    logger.LogWarning("Demo seeding, attempt {Attempt} of {Attempts}: {Message}", attempt, Attempts, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(attempt), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _done.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            logger.LogError(e, "The demo data could not be seeded: the host stays not ready.");
            _done.TrySetException(e);
        }
    }
}

/// <summary>Readiness: Healthy once <see cref="DemoSeeding"/> has put the demo data in place.</summary>
public sealed class DemoSeedingHealthCheck(DemoSeeding seeding) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            seeding.Completion.Status switch
            {
                TaskStatus.RanToCompletion => HealthCheckResult.Healthy("demo data in place"),
                TaskStatus.Faulted => HealthCheckResult.Unhealthy("the demo data could not be seeded", seeding.Completion.Exception),
                _ => HealthCheckResult.Unhealthy("seeding the demo data"),
            }
        );
}

public static class DemoSeedingExtensions
{
    /// <summary>
    /// In Development only, unless <c>Demo:Seed</c> is false, or tokens come from an identity provider
    /// (<c>Authentication:SigningKeyFiles</c>), whose keys the seeder cannot sign with: seeds the demo data into
    /// this host at start. Outside Development the services trust no development token, so there is nothing to do.
    /// </summary>
    public static WebApplicationBuilder AddDemoSeedingInDevelopment(this WebApplicationBuilder builder)
    {
        var tokens = builder.Configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        if (
            !builder.Environment.IsDevelopment()
            || !builder.Configuration.GetValue($"{DemoSeeding.Section}:Seed", true)
            || tokens.SigningKeyFiles.Length > 0
        )
            return builder;
        builder.Services.AddSingleton<DemoSeeding>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoSeeding>());
        builder.Services.AddHealthChecks().AddCheck<DemoSeedingHealthCheck>("demo-seed", tags: ["ready"]);
        return builder;
    }
}
