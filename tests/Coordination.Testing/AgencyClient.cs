using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Coordination.Testing;

/// <summary>
/// An agency system as the tests play it, on either of the gateway's doors: its JSON envelope POSTed to
/// <c>/ingress/{type}</c> with its bearer token, or published on <c>coordination.ingress</c> under its own
/// broker account (routing key = type, user_id = the account, which the broker checks against the login).
/// Only the documented wire format: no type of the platform is needed to send.
/// </summary>
public static class AgencyClient
{
    /// <summary>The gateway's AMQP door (infra/rabbitmq/definitions.json).</summary>
    public const string IngressExchange = "coordination.ingress";

    /// <summary>The demo password of a broker account in definitions.json.</summary>
    public static string DemoPasswordOf(string account) => $"{account}-demo-password";

    /// <summary>The broker's URL as <paramref name="account"/> logs in with its demo password.</summary>
    public static string UrlAs(string amqpUrl, string account) =>
        new UriBuilder(amqpUrl) { UserName = account, Password = DemoPasswordOf(account) }.Uri.ToString();

    /// <summary>A connection to the test broker under the agency's own account.</summary>
    public static Task<IConnection> ConnectAsync(RabbitMqBroker broker, string account) =>
        broker.ConnectAs(account, DemoPasswordOf(account));

    /// <summary>A documented example of contracts/…/Schemas/examples, as the test project copies them to agency-examples.</summary>
    public static JsonObject Example(string type) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "agency-examples", $"{type}.json")))!.AsObject();

    /// <summary>An agency's envelope around <paramref name="payload"/> (copied), as the contracts document it.</summary>
    public static JsonObject Envelope(string type, JsonObject payload, string territory, string occurredAt, Guid? messageId = null) =>
        new()
        {
            ["messageId"] = (messageId ?? Guid.NewGuid()).ToString(),
            ["type"] = type,
            ["schemaVersion"] = 1,
            ["territory"] = territory,
            ["occurredAt"] = occurredAt,
            ["payload"] = payload.DeepClone(),
        };

    /// <summary>
    /// A client of the gateway's HTTP door (and the APIs) carrying <paramref name="token"/> as its bearer token, or none.
    /// </summary>
    public static HttpClient HttpClientWithToken(Uri baseAddress, string? token)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to the HTTP door at <c>/ingress/{address}</c>.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient agency, string address, string body) =>
        agency.PostAsync($"/ingress/{address}", new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>
    /// POSTs the envelope to the HTTP door at its own type (or <paramref name="address"/>); the status and the
    /// JSON answer (problem details when refused), an empty answer read as no body.
    /// </summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(
        HttpClient agency,
        JsonObject envelope,
        string? address = null
    )
    {
        using var response = await PostAsync(agency, address ?? envelope["type"]!.GetValue<string>(), envelope.ToJsonString());
        return (
            response.StatusCode,
            response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>()
        );
    }

    /// <summary>The properties an agency sets on the AMQP door: its message id, its own account as user_id, persistent JSON.</summary>
    public static BasicProperties PropertiesOf(string account, Guid messageId) =>
        new()
        {
            MessageId = messageId.ToString(),
            UserId = account,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
        };

    /// <summary>
    /// Publishes <paramref name="body"/> on the AMQP door with <paramref name="routingKey"/>, on a channel the caller opened as the agency.
    /// </summary>
    public static ValueTask PublishAsync(
        IChannel channel,
        string account,
        string routingKey,
        Guid messageId,
        ReadOnlyMemory<byte> body,
        bool mandatory = false,
        CancellationToken cancellationToken = default
    ) => channel.BasicPublishAsync(IngressExchange, routingKey, mandatory, PropertiesOf(account, messageId), body, cancellationToken);

    /// <summary>
    /// Publishes the envelope on the AMQP door under the agency's own broker account, routed by its type, and
    /// returns once the broker confirmed it; returns its message id.
    /// </summary>
    public static async Task<Guid> PublishAsync(RabbitMqBroker broker, string account, JsonObject envelope, bool mandatory = true)
    {
        var messageId = Guid.Parse(envelope["messageId"]!.GetValue<string>());
        await using var connection = await ConnectAsync(broker, account);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
        );
        await PublishAsync(
            channel,
            account,
            envelope["type"]!.GetValue<string>(),
            messageId,
            Encoding.UTF8.GetBytes(envelope.ToJsonString()),
            mandatory
        );
        return messageId;
    }
}
