using Coordination.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.ServiceDefaults.Hosting;

/// <summary>
/// The first hosted service: starts, side by side, what takes longest before a service is ready,
/// every database's migration (EF Core building its model, then <c>MigrateAsync</c>) and the bus
/// (connection, topology, receive endpoints: round trips to the broker), instead of one after the other.
/// Nothing waits for them here. The migrators still hold the hosted services after them until their
/// database is migrated, <see cref="ConsumersOpen"/> holds the rest until the bus has started, and
/// no consumer consumes before <see cref="ConsumersOpen"/> (the <see cref="ConsumeGate"/>): what
/// each part of the service may rely on at start is what it was when these ran in sequence.
/// </summary>
/// <remarks>Replaces MassTransit's own hosted service, which can only start the bus where it is registered.</remarks>
public sealed class EarlyStart(
    IEnumerable<IDatabaseMigration> migrations,
    IServiceProvider services,
    IOptions<MassTransitHostOptions> options
) : IHostedService, IAsyncDisposable
{
    private Task? _busStart;
    private int _stopped;

    private IBusDepot Depot => services.GetRequiredService<IBusDepot>();

    /// <summary>The bus's start, begun by <see cref="StartAsync"/>.</summary>
    internal Task BusStarted =>
        _busStart ?? throw new InvalidOperationException("The bus was not started: EarlyStart is not registered first.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var migration in migrations)
            // Observed where it is awaited, by its migrator.
            _ = migration.RunAsync(cancellationToken);
        // Resolving the depot builds the bus (its endpoints and consumer pipes): on this thread too.
        _busStart = Task.Run(
            () => options.Value.StartTimeout is { } timeout ? Depot.Start(timeout, cancellationToken) : Depot.Start(cancellationToken),
            CancellationToken.None
        );
        return Task.CompletedTask;
    }

    /// <summary>The bus stops where it used to: at <see cref="ConsumersOpen"/>; here only if the start failed before it.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => StopBusAsync(cancellationToken);

    internal async Task StopBusAsync(CancellationToken cancellationToken)
    {
        if (_busStart is null || Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        await (options.Value.StopTimeout is { } timeout ? Depot.Stop(timeout, cancellationToken) : Depot.Stop(cancellationToken));
    }

    public async ValueTask DisposeAsync() => await StopBusAsync(CancellationToken.None);
}

/// <summary>
/// Registered where MassTransit's hosted service was, after every service's hosted services: opens
/// the <see cref="ConsumeGate"/>, then waits for the bus's start (failing the host's start as that
/// did), so the relays and the HTTP server after it start on a started bus.
/// </summary>
public sealed class ConsumersOpen(EarlyStart start, ConsumeGate gate) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        gate.Open();
        return start.BusStarted;
    }

    public Task StopAsync(CancellationToken cancellationToken) => start.StopBusAsync(cancellationToken);
}

/// <summary>
/// Holds every delivery before its consumer until the host's hosted services (its migrators among
/// them) have started; unacked meanwhile, so one cancelled by a stop goes back to its queue.
/// </summary>
public sealed class ConsumeGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void Open() => _open.TrySetResult();

    // Once open, WaitAsync returns the completed task itself: nothing is allocated per delivery.
    internal Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);
}

internal sealed class ConsumeGateFilter(ConsumeGate gate) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        await gate.WaitAsync(context.CancellationToken);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("consumeGate");
}

public static class EarlyStartRegistration
{
    /// <summary>In place of MassTransit's hosted service: <see cref="EarlyStart"/> first, <see cref="ConsumersOpen"/> here.</summary>
    internal static void AddEarlyStart(this IServiceCollection services)
    {
        services.RemoveMassTransitHostedService();
        services.AddSingleton<ConsumeGate>();
        services.AddSingleton<EarlyStart>();
        // Hosted services start in the order they are registered.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<EarlyStart>()));
        services.AddSingleton<IHostedService, ConsumersOpen>();
    }
}
