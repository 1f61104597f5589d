using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Hosting;

/// <summary>
/// Work done against the database at an interval (deadlines, retention): a scoped service, resolved
/// afresh for every pass so that each pass has its own unit of work.
/// </summary>
public interface IPeriodicPass
{
    Task RunPassAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs <typeparamref name="TPass"/> at an interval on the injected clock, so that tests move time
/// instead of waiting for it. Durable deadlines are rows: a failed or missed pass loses nothing, the
/// next one finds the same rows.
/// </summary>
public sealed partial class PeriodicPassRunner<TPass>(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    Func<TimeSpan> interval,
    ILogger<PeriodicPassRunner<TPass>> logger
) : BackgroundService
    where TPass : IPeriodicPass
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TPass>().RunPassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The type only: a message may quote the data the pass was handling.
                LogPassFailed(logger, typeof(TPass).Name, ex.GetType().Name);
            }
            try
            {
                await Task.Delay(interval(), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Pass} pass failed with {ExceptionType}; next pass at the next interval")]
    private static partial void LogPassFailed(ILogger logger, string pass, string exceptionType);
}

public static class PeriodicPassExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TPass"/> as scoped and runs it every <paramref name="interval"/> (read at each pass).
    /// </summary>
    public static IServiceCollection AddPeriodicPass<TPass>(this IServiceCollection services, Func<IServiceProvider, TimeSpan> interval)
        where TPass : class, IPeriodicPass
    {
        services.AddScoped<TPass>();
        services.AddHostedService(sp => new PeriodicPassRunner<TPass>(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            () => interval(sp),
            sp.GetRequiredService<ILogger<PeriodicPassRunner<TPass>>>()
        ));
        return services;
    }
}
