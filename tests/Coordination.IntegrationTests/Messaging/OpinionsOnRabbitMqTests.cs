using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.Opinions.Api;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// The story of 2° on the real broker: the prosecutor's office asks under its own account, the
/// bodies record the figures and adopt, and the opinion comes back to the prosecutor through the
/// gateway — one trace from the request to the release.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class OpinionsOnRabbitMqTests(RabbitMqBroker broker) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        await broker.LoadDefinitionsAsync(BrokerPermissionsTests.DefinitionsPath());
        _host = await ServiceHost.StartAllInOneAsync(null, "--Messaging:Transport=RabbitMq", $"--Messaging:RabbitMqUrl={broker.AmqpUrl}");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record Span(string Source, string Name, ActivityTraceId TraceId, IReadOnlyDictionary<string, string?> Tags);

    [Fact]
    public async Task A_prosecutors_request_becomes_an_adopted_opinion_in_the_prosecutors_inbox_under_one_trace()
    {
        var spans = new ConcurrentQueue<Span>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Coordination" or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
                spans.Enqueue(
                    new Span(a.Source.Name, a.DisplayName, a.TraceId, a.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()))
                ),
        };
        ActivitySource.AddActivityListener(listener);

        // The prosecutor's office of Paris asks, on the AMQP door, under its own broker account.
        var envelope = IngressOverHttpTests.Example("opinions.request-review");
        var requestId = Guid.NewGuid();
        envelope["messageId"] = requestId.ToString();
        envelope["payload"]!["respondBy"] = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd");
        await AgencyProcess.PublishToIngressAsync(
            AgencyClient.UrlAs(broker.AmqpUrl, "75-prosecutor"),
            "75-prosecutor",
            "opinions.request-review",
            requestId,
            envelope.ToJsonString()
        );

        // The review is known by the prosecutor's own message id.
        using var paris = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        await Poller.UntilAsync(
            async () => (await paris.GetAsync($"/opinions/reviews/{requestId}")).IsSuccessStatusCode,
            "the review opened by the Opinions service"
        );
        var opened = (await paris.GetFromJsonAsync<ReviewView>($"/opinions/reviews/{requestId}", Json))!;
        Assert.Equal(
            ("75-prosecutor", "mediation"),
            (
                opened.OpenedBy,
                Coordination.Contracts.Values.ClosedList<Coordination.Contracts.Values.Art41MeasureKind>.WordOf(opened.Measure)
            )
        );

        // The bodies record the figures, draft and adopt.
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await paris.PutAsync(
                    $"/opinions/reviews/{requestId}/indicators",
                    new StringContent(
                        """{"measuresOrdered":340,"measuresCarriedOut":289,"medianDelayDays":38,"structureCapacity":45}""",
                        Encoding.UTF8,
                        "application/json"
                    )
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await paris.PutAsync(
                    $"/opinions/reviews/{requestId}/draft",
                    new StringContent(
                        """{"verdict":"favourable-with-reservations","recommendations":["increase-structure-capacity","shorten-delays"]"""
                            + ""","text":"Médiateurs en nombre insuffisant."}""",
                        Encoding.UTF8,
                        "application/json"
                    )
                )
            ).StatusCode
        );
        var adopted = await paris.PostAsync($"/opinions/reviews/{requestId}/adoption", null);
        Assert.Equal(HttpStatusCode.OK, adopted.StatusCode);
        var releaseId = (await adopted.Content.ReadFromJsonAsync<ReviewView>(Json))!.Opinion!.ReleaseId!.Value;

        // In the prosecutor's inbox queue, readable with its account, opened with its key.
        var keys = _host.Keys;
        await using var prosecutor = await AgencyClient.ConnectAsync(broker, "75-prosecutor");
        await using var channel = await prosecutor.CreateChannelAsync();
        JsonNode? opinion = null;
        await Poller.UntilAsync(
            async () =>
            {
                foreach (var message in await MailboxReader.TakeAllAsync(channel, MailboxReader.InboxQueueOf("75-prosecutor")))
                {
                    var body = message.Body;
                    if (!body.TryGetProperty("payload", out _) || body.GetProperty("purpose").GetString() != "art41-opinion")
                        continue;
                    var contents = DeliveryOpener.OpenQueued(keys, "75-prosecutor", message, "art41-opinion");
                    if (contents["art41-opinion"]!["reviewId"]!.GetValue<Guid>() == requestId)
                        opinion = contents["art41-opinion"];
                }
                return opinion is not null;
            },
            "the opinion in agency.75-prosecutor.inbox"
        );
        Assert.Equal(
            ("favourable-with-reservations", 85, "mediation"),
            (
                opinion!["verdict"]!.GetValue<string>(),
                opinion["indicators"]!["completionRatePercent"]!.GetValue<int>(),
                opinion["measure"]!.GetValue<string>()
            )
        );

        // The same delivery waits in its HTTPS mailbox.
        using (var mailbox = _host.ClientFor(DemoPrincipals.Named("prosecutor-75")))
            Assert.Contains(
                await MailboxReader.ReadAsync(mailbox),
                d =>
                    d.GetProperty("type").GetString() == "opinions.opinion"
                    && DeliveryOpener.OpenMailboxDelivery(keys, "75-prosecutor", d, "art41-opinion")["art41-opinion"]![
                        "reviewId"
                    ]!.GetValue<Guid>() == requestId
            );

        // One story, one trace: the gateway's ingress, the Opinions consumer, and the gateway's release decision.
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!;
        string DecisionOf(string reference) =>
            audit.Single(e => e.GetProperty("references").GetString()!.Contains(reference)).GetProperty("decisionId").GetString()!;
        var ingressDecision = DecisionOf($"message:{requestId}");
        var releaseDecision = DecisionOf($"release:{releaseId}");
        Span? ingress = null,
            consumer = null,
            release = null;
        await Poller.UntilAsync(
            () =>
            {
                ingress = spans.FirstOrDefault(s =>
                    s.Name == "gateway ingress opinions.request-review"
                    && s.Tags.GetValueOrDefault("coordination.decision.id") == ingressDecision
                );
                release = spans.FirstOrDefault(s =>
                    s.Name == "gateway release decision" && s.Tags.GetValueOrDefault("coordination.decision.id") == releaseDecision
                );
                consumer = spans.FirstOrDefault(s =>
                    s.Source == "MassTransit"
                    && s.Tags.Values.Any(v => v?.Contains("RequestArt41ReviewConsumer", StringComparison.Ordinal) == true)
                    && s.Tags.Values.Contains(requestId.ToString())
                );
                return ingress is not null && release is not null && consumer is not null;
            },
            "the spans of the ingress, the Opinions consumer and the release"
        );
        Assert.True(
            ingress!.TraceId == consumer!.TraceId && consumer.TraceId == release!.TraceId,
            $"ingress {ingress.TraceId}, opinions consumer {consumer.TraceId}, release {release!.TraceId}"
        );
    }

    [Fact]
    public async Task Bad_input_over_amqp_lands_in_the_opinions_error_queues_with_its_reason_and_opens_nothing()
    {
        var formatter = new Coordination.ServiceDefaults.Messaging.ServiceEndpointNameFormatter();
        var requestErrors = $"{formatter.Consumer<Coordination.Opinions.Consumers.RequestArt41ReviewConsumer>()}_error";
        var indicatorErrors = $"{formatter.Consumer<Coordination.Opinions.Consumers.SubmitImplementationIndicatorsConsumer>()}_error";
        await using var connection = await broker.Connect();
        await using (var purge = await connection.CreateChannelAsync())
            foreach (var queue in new[] { requestErrors, indicatorErrors })
            {
                // Earlier tests' faults are not this test's.
                try
                {
                    await purge.QueuePurgeAsync(queue);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
            }

        var lateRequest = Guid.NewGuid();
        await _host.Bus.Publish(
            new Coordination.Contracts.Opinions.RequestArt41Review
            {
                ReviewId = lateRequest,
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"),
                Measure = Coordination.Contracts.Values.Art41MeasureKind.DamageRepair,
                PeriodStart = new DateOnly(2024, 1, 1),
                PeriodEnd = new DateOnly(2024, 12, 31),
                RespondBy = new DateOnly(2025, 1, 31),
                RequestedBy = "75-prosecutor",
            }
        );
        await _host.Bus.Publish(
            new Coordination.Contracts.Opinions.SubmitImplementationIndicators
            {
                ReviewId = Guid.NewGuid(),
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"),
                MeasuresOrdered = 1,
                MeasuresCarriedOut = 1,
                MedianDelayDays = 1,
                StructureCapacity = 1,
            }
        );

        async Task<string> FaultIn(string queue)
        {
            var fault = "";
            await Poller.UntilAsync(
                async () =>
                {
                    try
                    {
                        await using var channel = await connection.CreateChannelAsync();
                        if (await channel.BasicGetAsync(queue, autoAck: true) is not { } message)
                            return false;
                        fault =
                            message.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var value) == true && value is byte[] bytes
                                ? Encoding.UTF8.GetString(bytes)
                                : "";
                        return true;
                    }
                    catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                    {
                        return false; // the error queue does not exist yet
                    }
                },
                $"a message in {queue}"
            );
            return fault;
        }

        Assert.StartsWith("invalid-field: respondBy", await FaultIn(requestErrors));
        Assert.StartsWith("unknown-review", await FaultIn(indicatorErrors));
        using var paris = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        Assert.Equal(HttpStatusCode.Forbidden, (await paris.GetAsync($"/opinions/reviews/{lateRequest}")).StatusCode);
    }
}
