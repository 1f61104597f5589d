using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

// An agency system as any language would write one: plain AMQP, a JSON envelope, persistent
// messages, publisher confirms. No MassTransit, no shared types: only the documented wire format.
//
//   AgencyPublisher --url amqp://u:p@host:5672/ --exchange NAME --message-type urn:message:NS:Type
//                   --message-id GUID [--copies N] [--raw] [--routing-key KEY] [--user-id ACCOUNT] < body.json
//
// --copies sends the same message id N times, as an at-least-once sender may.
// --raw sends the body alone (no MassTransit envelope).
// --load runs the benchmarks' open-loop load generator instead (LoadGenerator.cs).

var options = ParseArguments(args);
if (options.ContainsKey("load"))
    return await Coordination.AgencyPublisher.LoadGenerator.RunAsync(options);
string Get(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

var body = JsonNode.Parse(Console.In.ReadToEnd()) ?? throw new ArgumentException("the body on standard input is not JSON");
var messageId = Get("message-id");
var copies = options.TryGetValue("copies", out var c) ? int.Parse(c) : 1;
var exchange = Get("exchange");
var raw = options.ContainsKey("raw");

var payload = raw
    ? body
    : new JsonObject
    {
        ["messageId"] = messageId,
        ["conversationId"] = messageId,
        ["sourceAddress"] = "rabbitmq://localhost/agency-publisher",
        ["destinationAddress"] = $"rabbitmq://localhost/{exchange}",
        ["messageType"] = new JsonArray(Get("message-type")),
        ["message"] = body,
        ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
        ["headers"] = new JsonObject(),
    };
var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString());

var factory = new ConnectionFactory { Uri = new Uri(Get("url")), ClientProvidedName = "agency-publisher" };
await using var connection = await factory.CreateConnectionAsync();
await using var channel = await connection.CreateChannelAsync(
    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
);
var properties = new BasicProperties
{
    MessageId = messageId,
    // The broker checks it against the account the connection logged in with.
    UserId = options.GetValueOrDefault("user-id"),
    ContentType = raw ? "application/json" : "application/vnd.masstransit+json",
    DeliveryMode = DeliveryModes.Persistent,
};
for (var i = 0; i < copies; i++)
{
    // With confirmation tracking the await returns once the broker has taken the message.
    await channel.BasicPublishAsync(
        exchange,
        routingKey: options.GetValueOrDefault("routing-key", ""),
        mandatory: false,
        basicProperties: properties,
        body: bytes
    );
}
Console.WriteLine($"published {copies} cop{(copies == 1 ? "y" : "ies")} of {messageId} to {exchange}");
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"unexpected '{args[i]}'");
        var name = args[i][2..];
        result[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
    return result;
}
