using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Coordination.Testing;

/// <summary>
/// How a refusal reads to its caller: problem details with a reason code over HTTP, a refusal notice with a
/// reason code in the agency's own <c>agency.{agency}.rejected</c> queue over AMQP, and an audit entry.
/// </summary>
public static class RejectionAssertions
{
    /// <summary>Problem details (<c>application/problem+json</c>) with this status and reason code; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reasonCode)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reasonCode, problem.GetProperty("reasonCode").GetString());
        return problem;
    }

    /// <summary>An HTTP answer read as status and JSON body (the door's, or an API's) refused with this status and reason code.</summary>
    public static void AssertRefused((HttpStatusCode Status, JsonElement Body) answer, HttpStatusCode status, string reasonCode) =>
        Assert.Equal((status, reasonCode), (answer.Status, answer.Body.GetProperty("reasonCode").GetString()));

    /// <summary>The reason code of a problem, if it has one.</summary>
    public static string? ReasonCodeOf(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("reasonCode", out var code) ? code.GetString() : null;

    /// <summary>The reason code of a refused HTTP answer, if it has one.</summary>
    public static async Task<string?> ReasonCodeOfAsync(HttpResponseMessage response) =>
        ReasonCodeOf(await response.Content.ReadFromJsonAsync<JsonElement>());

    /// <summary>
    /// Waits for the refusal notice of <paramref name="messageId"/> in the agency's rejected queue (read under its
    /// own account, every notice taken) and checks its reason code; returns the notice.
    /// <paramref name="eachNotice"/> sees every notice taken on the way, raw.
    /// </summary>
    public static async Task<JsonElement> AssertRefusedOverAmqpAsync(
        RabbitMqBroker broker,
        string account,
        Guid messageId,
        string reasonCode,
        Action<string>? eachNotice = null
    )
    {
        await using var connection = await AgencyClient.ConnectAsync(broker, account);
        await using var channel = await connection.CreateChannelAsync();
        var queue = MailboxReader.RejectedQueueOf(account);
        JsonElement? notice = null;
        await Poller.UntilAsync(
            async () =>
            {
                while (await MailboxReader.TakeAsync(channel, queue) is { } message)
                {
                    eachNotice?.Invoke(message.Raw);
                    if (message.Body.GetProperty("messageId").GetGuid() == messageId)
                        notice = message.Body;
                }
                return notice is not null;
            },
            $"the refusal in {queue}"
        );
        Assert.Equal(reasonCode, notice!.Value.GetProperty("reasonCode").GetString());
        return notice.Value;
    }

    /// <summary>The audit holds the door's refusal of <paramref name="messageId"/> with <paramref name="reasonCode"/>.</summary>
    public static void AssertRefusalAudited(IEnumerable<JsonElement> audit, Guid messageId, string reasonCode) =>
        Assert.Contains(
            audit,
            e =>
                e.GetProperty("references").GetString()!.Contains($"message:{messageId}")
                && e.GetProperty("kind").GetString() == "ingress-rejected"
                && e.GetProperty("reason").GetString() == reasonCode
        );
}
