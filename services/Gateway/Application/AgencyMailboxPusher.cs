using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;

namespace Coordination.Gateway.Application;

/// <summary>
/// On RabbitMQ, pushes committed deliveries to each agency's own <c>agency.&lt;id&gt;.inbox</c> queue,
/// readable only by that agency's account; a row is marked pushed only after the broker's confirm.
/// </summary>
public sealed partial class AgencyMailboxPusher(
    IServiceScopeFactory scopes,
    MessagingOptions messaging,
    TimeProvider clock,
    ILogger<AgencyMailboxPusher> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (messaging.Transport != MessageTransport.RabbitMq)
            return;
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(messaging.RabbitMqUrl),
                    ClientProvidedName = "coordination-gateway-egress",
                };
                await using var connection = await messaging.ConnectAsync(factory, stoppingToken);
                await using var channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                    stoppingToken
                );
                var declared = new HashSet<string>();
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (await PushPendingAsync(channel, declared, stoppingToken) == 0)
                        await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
                    backoff = TimeSpan.FromMilliseconds(500);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPushFailed(logger, ex.GetType().Name, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 30_000));
            }
        }
    }

    private async Task<int> PushPendingAsync(IChannel channel, HashSet<string> declared, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        List<AgencyDelivery> pending;
        using (OpenTelemetry.SuppressInstrumentationScope.Begin())
            pending = await db.Set<AgencyDelivery>()
                .Where(d => d.PushedAt == null && !d.Type.StartsWith(HeldDeliveries.Prefix))
                // A retired agency's account is sent nothing more, even what was committed before its retirement.
                .Where(d => !db.Agencies.Any(a => a.Account == d.Agency && a.RetiredAt != null))
                .OrderBy(d => d.CreatedAt)
                .Take(100)
                .ToListAsync(cancellationToken);
        foreach (var delivery in pending)
        {
            // The id becomes a queue name: one outside the rule (a '.' would add a segment) is never pushed, nor its queue declared.
            if (!Contracts.Values.AgencyId.IsValid(delivery.Agency))
            {
                LogUndeliverable(logger, delivery.Id);
                continue;
            }
            var queue =
                delivery.Type == Coordination.Gateway.Application.Ingress.IngressProcessor.RejectionType
                    ? $"agency.{delivery.Agency}.rejected"
                    : $"agency.{delivery.Agency}.inbox";
            if (declared.Add(queue))
                await channel.QueueDeclareAsync(
                    queue,
                    durable: true,
                    exclusive: false,
                    autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" },
                    cancellationToken: cancellationToken
                );
            await channel.BasicPublishAsync(
                "",
                queue,
                false,
                new BasicProperties
                {
                    MessageId = delivery.Id.ToString(),
                    Type = delivery.Type,
                    ContentType = "application/json",
                    DeliveryMode = DeliveryModes.Persistent,
                },
                System.Text.Encoding.UTF8.GetBytes(delivery.Body),
                cancellationToken
            );
            delivery.PushedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return pending.Count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} names no valid agency id; it stays unpushed")]
    private static partial void LogUndeliverable(ILogger logger, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing agency deliveries failed ({ExceptionType}); retrying in {BackoffMs} ms")]
    private static partial void LogPushFailed(ILogger logger, string exceptionType, double backoffMs);
}
