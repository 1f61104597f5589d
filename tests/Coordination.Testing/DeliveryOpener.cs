using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Sealing;

namespace Coordination.Testing;

/// <summary>
/// What an agency does with its private key: a payload sealed for it is opened with its own key ring, bound to
/// the delivery's id (the message id on the broker, the mailbox entry's id over HTTPS) and to the purpose.
/// The demo key store of the host holds every agency's key.
/// </summary>
public static class DeliveryOpener
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The sealed payload as the delivery carries it (<c>payload</c>, or a refusal notice's <c>original</c>).</summary>
    public static SealedPayload SealedOf(JsonElement sealedPayload) => sealedPayload.Deserialize<SealedPayload>(Web)!;

    /// <summary>The bytes sealed for the ring's owner; the purpose the payload names unless one is expected.</summary>
    public static byte[] OpenBytes(SealingKeyRing ring, JsonElement sealedPayload, Guid boundTo, string? purpose = null)
    {
        var payload = SealedOf(sealedPayload);
        return PayloadSealer.Open(payload, ring, purpose ?? payload.Purpose, boundTo);
    }

    /// <summary>The bytes sealed for <paramref name="agency"/>, with its keys in the store.</summary>
    public static byte[] OpenBytes(SealingKeyStore keys, string agency, JsonElement sealedPayload, Guid boundTo, string? purpose = null)
    {
        using var ring = keys.RingFor(agency);
        return OpenBytes(ring, sealedPayload, boundTo, purpose);
    }

    /// <summary>A delivery of the HTTPS mailbox opened with a ring the agency holds itself.</summary>
    public static JsonObject OpenMailboxDelivery(SealingKeyRing ring, JsonElement delivery, string? purpose = null) =>
        JsonNode
            .Parse(OpenBytes(ring, delivery.GetProperty("body").GetProperty("payload"), delivery.GetProperty("id").GetGuid(), purpose))!
            .AsObject();

    /// <summary>The JSON object sealed for <paramref name="agency"/>.</summary>
    public static JsonObject Open(SealingKeyStore keys, string agency, JsonElement sealedPayload, Guid boundTo, string? purpose = null) =>
        JsonNode.Parse(OpenBytes(keys, agency, sealedPayload, boundTo, purpose))!.AsObject();

    /// <summary>A delivery of the HTTPS mailbox (<c>{ id, type, body: { payload } }</c>) opened by its agency.</summary>
    public static JsonObject OpenMailboxDelivery(SealingKeyStore keys, string agency, JsonElement delivery, string? purpose = null) =>
        Open(keys, agency, delivery.GetProperty("body").GetProperty("payload"), delivery.GetProperty("id").GetGuid(), purpose);

    /// <summary>
    /// Waits for a delivery of <paramref name="type"/> in the agency's HTTPS mailbox (about <paramref name="person"/>
    /// when given, and whose opened contents <paramref name="matches"/>), newest first unless told; returns it opened.
    /// </summary>
    public static async Task<(JsonElement Delivery, JsonObject Contents)> AwaitInMailboxAsync(
        HttpClient mailbox,
        SealingKeyStore keys,
        string agency,
        string type,
        string? person = null,
        Func<JsonObject, bool>? matches = null,
        string? purpose = null,
        bool newestFirst = true
    )
    {
        (JsonElement, JsonObject)? found = null;
        await Poller.UntilAsync(
            async () =>
            {
                var deliveries = await MailboxReader.ReadAsync(mailbox);
                foreach (var delivery in newestFirst ? deliveries.Reverse() : deliveries)
                {
                    if (delivery.GetProperty("type").GetString() != type)
                        continue;
                    if (person is not null && delivery.GetProperty("body").GetProperty("person").GetString() != person)
                        continue;
                    var contents = OpenMailboxDelivery(keys, agency, delivery, purpose);
                    if (matches is not null && !matches(contents))
                        continue;
                    found = (delivery, contents);
                    return true;
                }
                return false;
            },
            $"{type} in {agency}'s mailbox"
        );
        return found!.Value;
    }

    /// <summary>A delivery taken from the agency's inbox queue, bound to its message id, opened by its agency.</summary>
    public static JsonObject OpenQueued(SealingKeyStore keys, string agency, QueuedMessage delivery, string? purpose = null) =>
        Open(keys, agency, delivery.Body.GetProperty("payload"), delivery.MessageId!.Value, purpose);
}
