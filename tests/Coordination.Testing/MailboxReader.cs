using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Coordination.Testing;

/// <summary>A message taken from an agency's queue: its type and id (to which a sealed payload is bound), its body as sent.</summary>
public sealed record QueuedMessage(string? Type, Guid? MessageId, string Raw, JsonElement Body);

/// <summary>
/// What an agency reads of what the gateway keeps for it: its HTTPS mailbox (<c>GET /egress/inbox</c>), or its
/// queues on the broker (<c>agency.{agency}.inbox</c> and <c>agency.{agency}.rejected</c>).
/// </summary>
public static class MailboxReader
{
    public static string InboxQueueOf(string agency) => $"agency.{agency}.inbox";

    public static string RejectedQueueOf(string agency) => $"agency.{agency}.rejected";

    /// <summary>Every delivery in the agency's HTTPS mailbox, oldest first, as the gateway lists them.</summary>
    public static async Task<JsonElement[]> ReadAsync(HttpClient agency) =>
        (await agency.GetFromJsonAsync<JsonElement[]>("/egress/inbox"))!;

    /// <summary>The mailbox once it holds at least <paramref name="expected"/> deliveries.</summary>
    public static async Task<List<JsonElement>> ReadAtLeastAsync(HttpClient agency, int expected, string waitingFor)
    {
        List<JsonElement> mailbox = [];
        await Poller.UntilAsync(
            async () =>
            {
                mailbox = [.. await ReadAsync(agency)];
                return mailbox.Count >= expected;
            },
            waitingFor
        );
        return mailbox;
    }

    /// <summary>Takes the next message of <paramref name="queue"/> (acknowledged as taken), or none.</summary>
    public static async Task<QueuedMessage?> TakeAsync(IChannel channel, string queue)
    {
        if (await channel.BasicGetAsync(queue, autoAck: true) is not { } message)
            return null;
        var raw = Encoding.UTF8.GetString(message.Body.Span);
        return new QueuedMessage(
            message.BasicProperties.Type,
            Guid.TryParse(message.BasicProperties.MessageId, out var id) ? id : null,
            raw,
            JsonDocument.Parse(raw).RootElement.Clone()
        );
    }

    /// <summary>Takes every message waiting in <paramref name="queue"/>.</summary>
    public static async Task<List<QueuedMessage>> TakeAllAsync(IChannel channel, string queue)
    {
        var taken = new List<QueuedMessage>();
        while (await TakeAsync(channel, queue) is { } message)
            taken.Add(message);
        return taken;
    }

    /// <summary>
    /// Empties the agencies' queues on the broker, which outlive every host: a test starts from, and leaves, empty boxes.
    /// </summary>
    public static async Task EmptyAsync(RabbitMqBroker broker, IEnumerable<string> agencies)
    {
        await using var admin = await broker.Connect();
        await using var channel = await admin.CreateChannelAsync();
        foreach (var agency in agencies)
        foreach (var queue in new[] { InboxQueueOf(agency), RejectedQueueOf(agency) })
            await channel.QueuePurgeAsync(queue);
    }
}
