using System.Text;
using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Telemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Coordination.Gateway.Consumers;

/// <summary>
/// The AMQP door: agencies publish their envelope to the <c>coordination.ingress</c> topic exchange,
/// routing key = message type, with <c>user_id</c> set to their broker account. The broker refuses a
/// user_id that is not the connection's own account, so the source is what the transport proves.
/// Answers to refused messages reach the sender's own <c>agency.&lt;id&gt;.rejected</c> queue through the mailbox.
/// </summary>
/// <remarks>
/// Up to <see cref="Prefetch"/> messages are in flight; those waiting are decided together in one
/// transaction (<see cref="IngressBatch"/>) and acked with one <c>multiple</c> ack after its commit.
/// A message the gateway fails on is nacked alone and comes again; the others stand.
/// </remarks>
public sealed partial class AmqpIngressListener(IngressBatch decider, MessagingOptions messaging, ILogger<AmqpIngressListener> logger)
    : BackgroundService
{
    /// <summary>Messages the broker hands the door before it acks: the most one batch decides at once.</summary>
    public const ushort Prefetch = 64;

    public const string Exchange = IngressBatch.Exchange;
    public const string Queue = "gateway-ingress";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (messaging.Transport != MessageTransport.RabbitMq)
            return;
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenerFailed(logger, ex.GetType().Name, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(messaging.RabbitMqUrl), ClientProvidedName = "coordination-gateway-ingress" };
        await using var connection = await messaging.ConnectAsync(factory, stoppingToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            stoppingToken
        );
        await channel.ExchangeDeclareAsync(
            Exchange,
            ExchangeType.Topic,
            durable: true,
            autoDelete: false,
            cancellationToken: stoppingToken
        );
        var queue = messaging.QueuePrefix + Queue;
        // A message the gateway fails on (a failure of ours, not bad input: that is answered) is tried
        // a bounded number of times, then the broker moves it where operators see it, so that one
        // message never holds the door shut for every agency.
        var deadLetters = messaging.QueuePrefix + DeadLetterQueue;
        await channel.ExchangeDeclareAsync(
            deadLetters,
            ExchangeType.Fanout,
            durable: true,
            autoDelete: false,
            cancellationToken: stoppingToken
        );
        await channel.QueueDeclareAsync(
            deadLetters,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" },
            cancellationToken: stoppingToken
        );
        await channel.QueueBindAsync(deadLetters, deadLetters, "", cancellationToken: stoppingToken);
        await channel.QueueDeclareAsync(
            queue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: QueueArguments(messaging.QueuePrefix),
            cancellationToken: stoppingToken
        );
        await channel.QueueBindAsync(queue, Exchange, "#", cancellationToken: stoppingToken);
        await channel.BasicQosAsync(0, Prefetch, false, stoppingToken);

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var received = System.Threading.Channels.Channel.CreateUnbounded<IngressDelivery>(
            new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true }
        );
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The client reuses the body's buffer once this returns: the batch gets a copy.
            received.Writer.TryWrite(
                new IngressDelivery(
                    delivery.DeliveryTag,
                    delivery.BasicProperties.UserId,
                    delivery.RoutingKey,
                    delivery.Body.ToArray(),
                    DeliveryCount(delivery.BasicProperties)
                )
            );
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var deciding = DecideAsync(channel, received.Reader, stopping.Token);
        try
        {
            await Task.WhenAny(closed.Task.WaitAsync(stoppingToken), deciding);
        }
        finally
        {
            stopping.Cancel();
            try
            {
                await deciding;
            }
            catch (OperationCanceledException) { }
        }
        stoppingToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException("The ingress channel closed.");
    }

    private async Task DecideAsync(
        IChannel channel,
        System.Threading.Channels.ChannelReader<IngressDelivery> received,
        CancellationToken stoppingToken
    )
    {
        var batch = new List<IngressDelivery>(Prefetch);
        IReadOnlyList<IngressDelivery> deferred = [];
        while (deferred.Count > 0 || await received.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            // What the last batch had no time for goes first, in the order it came.
            batch.AddRange(deferred);
            deferred = [];
            while (batch.Count < Prefetch && received.TryRead(out var delivery))
                batch.Add(delivery);
            try
            {
                var decided = await decider.DecideAsync(batch, stoppingToken);
                deferred = decided.Deferred;
                await SettleAsync(channel, batch, decided);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && batch.Count > 1)
            {
                // Nothing of the batch committed: each message is decided alone, so that only one at fault fails.
                deferred = [];
                foreach (var delivery in batch)
                {
                    try
                    {
                        await SettleAsync(channel, [delivery], await decider.DecideAsync([delivery], stoppingToken));
                    }
                    catch (Exception alone) when (alone is not OperationCanceledException)
                    {
                        await RequeueAsync(channel, delivery, alone);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await RequeueAsync(channel, batch[0], ex);
            }
        }
    }

    /// <summary>After the commit: the failed ones back to the queue, then one ack for all the decided ones.</summary>
    private async Task SettleAsync(IChannel channel, IReadOnlyList<IngressDelivery> batch, IngressBatch.Decided decided)
    {
        foreach (var (delivery, failure) in decided.Failed)
            await RequeueAsync(channel, delivery, failure);
        if (decided.Committed.Count == 0)
            return;
        // multiple: every delivery up to this tag still unsettled, i.e. this batch's committed ones (the failed were nacked above).
        await channel.BasicAckAsync(decided.Committed.Max(d => d.DeliveryTag), multiple: true, CancellationToken.None);
    }

    private async Task RequeueAsync(IChannel channel, IngressDelivery delivery, Exception failure)
    {
        // Not decided: back to the queue for another try, never dropped; past the delivery limit
        // the broker dead-letters it. No pause here: this is every agency's only lane.
        var attempts = delivery.DeliveryCount + 1;
        Failures.Add(1);
        if (attempts > DeliveryLimit)
            DeadLettered.Add(1);
        LogDeliveryFailed(logger, failure.GetType().Name, attempts, DeliveryLimit);
        await channel.BasicNackAsync(delivery.DeliveryTag, false, requeue: true, CancellationToken.None);
    }

    /// <summary>Redeliveries after the first attempt before the broker dead-letters a message (quorum queues count them).</summary>
    public const int DeliveryLimit = 5;
    public const string DeadLetterQueue = "gateway-ingress-dead-letter";

    private static readonly System.Diagnostics.Metrics.Counter<long> Failures = CoordinationTelemetry.Meter.CreateCounter<long>(
        "coordination.ingress.failures",
        description: "Agency messages the gateway failed to decide on (each attempt)"
    );
    private static readonly System.Diagnostics.Metrics.Counter<long> DeadLettered = CoordinationTelemetry.Meter.CreateCounter<long>(
        "coordination.ingress.dead_lettered",
        description: "Agency messages moved to the ingress dead-letter queue: alert on any"
    );

    /// <summary>
    /// The ingress queue's arguments, the same here and in infra/rabbitmq/definitions.json (a declaration that differs is refused).
    /// </summary>
    public static Dictionary<string, object?> QueueArguments(string queuePrefix) =>
        new()
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = DeliveryLimit,
            ["x-dead-letter-exchange"] = queuePrefix + DeadLetterQueue,
        };

    private static long DeliveryCount(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue("x-delivery-count", out var count) == true && count is not null ? Convert.ToInt64(count) : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP ingress stopped ({ExceptionType}); reconnecting in {Seconds} s")]
    private static partial void LogListenerFailed(ILogger logger, string exceptionType, double seconds);

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "AMQP ingress could not decide on a message ({ExceptionType}), attempt {Attempt} of {Limit} redeliveries; "
            + "then it is dead-lettered"
    )]
    private static partial void LogDeliveryFailed(ILogger logger, string exceptionType, long attempt, int limit);
}
