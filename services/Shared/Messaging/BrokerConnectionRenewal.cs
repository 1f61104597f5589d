using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// Asked by an outbox relay whose publishes the broker keeps refusing while the bus is connected: the
/// process's broker connection is closed, so that MassTransit connects again and publishes on new channels.
/// </summary>
public interface IBrokerConnectionRenewal
{
    /// <summary>True when the connection was closed for renewal; false when nothing was done (see the implementation).</summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Why a relay may need this: on RabbitMQ before 3.12, a channel whose first publish to a quorum queue comes
/// while the queue's record still names a leader on a lost node has every later publish to that queue
/// refused (nack), for as long as the channel lives (rabbit_fifo_client asks the dead node for its version,
/// gets nodedown, and keeps that leader; fixed upstream in rabbitmq-server bd9f2a1, 2023). MassTransit
/// publishes on the bus endpoint's channel and retries a refused publish on that same channel, so the outbox
/// would wait forever. A new connection means new channels, which ask the queue's current leader.
/// </summary>
/// <remarks>
/// Only when the bus reports itself healthy (a broker that cannot be reached is not helped by closing the
/// connection, and MassTransit reconnects by itself then), one at a time, and at most once per
/// <see cref="Cooldown"/>. Closing the connection is what a lost broker node does anyway: every consumer is
/// built for it (unacked deliveries come again and the inboxes drop the copies).
/// </remarks>
public sealed partial class RabbitMqConnectionRenewal(
    IServiceProvider services,
    TimeProvider clock,
    ILogger<RabbitMqConnectionRenewal> logger
) : IBrokerConnectionRenewal
{
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _one = new(1, 1);
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        if (!await _one.WaitAsync(0, cancellationToken))
            return false;
        try
        {
            var now = clock.GetUtcNow();
            if (now - _last < Cooldown)
                return false;
            var bus = services.GetRequiredService<IBusInstance>();
            var health = bus.BusControl.CheckHealth();
            if (health.Status != BusHealthStatus.Healthy)
            {
                LogNotRenewed(logger, health.Status.ToString());
                return false;
            }
            if (bus.HostConfiguration is not IRabbitMqHostConfiguration rabbit)
                return false;
            _last = now;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await rabbit.ConnectionContextSupervisor.Send(
                Pipe.ExecuteAsync<ConnectionContext>(connection =>
                    connection.Connection.CloseAsync(
                        RabbitMQ.Client.Constants.ReplySuccess,
                        "publishes refused on a connected bus: renewing the connection",
                        TimeSpan.FromSeconds(5),
                        abort: false,
                        timeout.Token
                    )
                ),
                timeout.Token
            );
            // The relay that asked logs the renewal, with its context and why.
            return true;
        }
        finally
        {
            _one.Release();
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Broker connection not renewed: the bus is {Status}, MassTransit reconnects by itself"
    )]
    private static partial void LogNotRenewed(ILogger logger, string status);
}
