using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Coordination.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Coordination.IntegrationTests.Support;

/// <summary>
/// A private, exclusive queue bound to the exchange of one event type: what a subscriber on the
/// broker receives, counted message by message (duplicates included).
/// </summary>
public sealed class EventTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private EventTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public ConcurrentQueue<(string MessageId, JsonElement Message)> Received { get; } = new();

    /// <summary>MassTransit names a message type's exchange <c>Namespace:Type</c>.</summary>
    public static string ExchangeOf<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}";

    public static async Task<EventTap> StartAsync<T>(RabbitMqBroker broker)
    {
        var connection = await broker.Connect();
        var channel = await connection.CreateChannelAsync();
        var exchange = ExchangeOf<T>();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        var tap = new EventTap(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
            tap.Received.Enqueue(
                (envelope.RootElement.GetProperty("messageId").GetString()!, envelope.RootElement.GetProperty("message").Clone())
            );
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return tap;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
