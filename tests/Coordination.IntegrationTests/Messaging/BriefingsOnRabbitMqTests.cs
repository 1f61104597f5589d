using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordination.Briefings.Api;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Briefings;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Coordination.IntegrationTests.Messaging;

[Collection(RabbitMqCollection.Name)]
public sealed class BriefingsOnRabbitMqTests(RabbitMqBroker broker)
{
    private const string CommandQueue = "briefings-record-penal-policy-briefing";
    private static readonly string CommandUrn =
        $"urn:message:{typeof(RecordPenalPolicyBriefing).Namespace}:{nameof(RecordPenalPolicyBriefing)}";
    private static readonly string CommandExchange = EventTap.ExchangeOf<RecordPenalPolicyBriefing>();

    private static string BriefingJson(string territory, string summary, string briefedOn = "2026-02-03") =>
        $$"""
            {"territory":"{{territory}}","briefedOn":"{{briefedOn}}","prosecutorOffice":"Parquet de Bobigny",
             "priorityThemes":["drug-trafficking","juvenile-delinquency"],"summary":"{{summary}}"}
            """;

    [Fact]
    public async Task A_briefing_published_twice_by_another_process_is_recorded_once_and_announced_once()
    {
        await using var service = await ServiceHost.StartBriefingsAsync(broker);
        await using var announcements = await EventTap.StartAsync<PenalPolicyBriefingRecorded>(broker);
        var deliveries = ConsumeCounter<RecordPenalPolicyBriefing>.On(service.Bus);
        var messageId = NewId.NextGuid();
        var summary = $"Bilan annuel {messageId:N}";

        await AgencyProcess.PublishAsync(broker.AmqpUrl, CommandExchange, CommandUrn, messageId, BriefingJson("93", summary), copies: 2);

        await Poller.UntilAsync(() => deliveries.ConsumedWithId(messageId) == 2, "both copies consumed");
        await Poller.UntilAsync(() => UnsentOutbox(service) == 0, "the outbox relay drained");
        await Poller.UntilAsync(
            () => announcements.Received.Any(e => e.Message.GetProperty("summary").GetString() == summary),
            "the announcement"
        );

        var recorded = await service.GetJsonAsync<List<BriefingView>>("/briefings?territory=93&year=2026");
        Assert.Single(recorded, b => b.Summary == summary);
        Assert.Single(announcements.Received, e => e.Message.GetProperty("summary").GetString() == summary);
    }

    [Fact]
    public async Task A_renewed_broker_connection_is_a_new_one_and_the_service_consumes_and_announces_on_it()
    {
        await using var service = await ServiceHost.StartBriefingsAsync(broker);
        await using var announcements = await EventTap.StartAsync<PenalPolicyBriefingRecorded>(broker);
        var renewal = service.App.Services.GetRequiredService<Coordination.ServiceDefaults.Messaging.IBrokerConnectionRenewal>();
        var before = await LocalPortOfBusConnection(service);

        Assert.True(await renewal.RenewAsync(CancellationToken.None), "a connected bus renews its connection when asked");
        Assert.False(await renewal.RenewAsync(CancellationToken.None), "a second ask within the cooldown does nothing");

        var summary = $"Après renouvellement {Guid.NewGuid():N}";
        await AgencyProcess.PublishAsync(broker.AmqpUrl, CommandExchange, CommandUrn, NewId.NextGuid(), BriefingJson("93", summary));
        await Poller.UntilAsync(
            () => announcements.Received.Any(e => e.Message.GetProperty("summary").GetString() == summary),
            "the briefing sent after the renewal recorded and announced"
        );
        Assert.NotEqual(before, await LocalPortOfBusConnection(service));
        Assert.True((await service.Http.GetAsync("/health/ready")).IsSuccessStatusCode, "ready again by itself");
    }

    /// <summary>The local port of the bus's broker connection: another port is another connection.</summary>
    private static async Task<int> LocalPortOfBusConnection(ServiceHost service)
    {
        var host = (MassTransit.RabbitMqTransport.Configuration.IRabbitMqHostConfiguration)
            service.App.Services.GetRequiredService<MassTransit.Transports.IBusInstance>().HostConfiguration;
        var port = 0;
        await host.ConnectionContextSupervisor.Send(
            Pipe.Execute<MassTransit.RabbitMqTransport.ConnectionContext>(c => port = c.Connection.LocalPort),
            CancellationToken.None
        );
        return port;
    }

    [Fact]
    public async Task A_relay_stopped_between_commit_and_publish_delivers_everything_after_restart()
    {
        var folder = ServiceHost.NewFolder();
        try
        {
            var summaries = Enumerable.Range(1, 5).Select(i => $"Réunion {i} {Guid.NewGuid():N}").ToList();
            await using (var stopped = await ServiceHost.StartBriefingsAsync(broker, folder, "--Outbox:RelayEnabled=false"))
            {
                foreach (var summary in summaries)
                {
                    var response = await stopped.Http.PostAsync(
                        "/briefings",
                        new StringContent(BriefingJson("75", summary), Encoding.UTF8, "application/json")
                    );
                    Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
                }
                // Only the announcements: in December the annual-briefing reminders wait in the same outbox.
                Assert.Equal(5, UnsentOutbox(stopped, nameof(PenalPolicyBriefingRecorded)));
            }

            await using var announcements = await EventTap.StartAsync<PenalPolicyBriefingRecorded>(broker);
            await using var restarted = await ServiceHost.StartBriefingsAsync(broker, folder);
            await Poller.UntilAsync(
                () => summaries.All(s => announcements.Received.Any(e => e.Message.GetProperty("summary").GetString() == s)),
                "all five announcements"
            );
            await Poller.UntilAsync(() => UnsentOutbox(restarted) == 0, "every row marked sent");

            foreach (var summary in summaries)
                Assert.Single(announcements.Received, e => e.Message.GetProperty("summary").GetString() == summary);
        }
        finally
        {
            ServiceHost.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Bad_input_over_amqp_lands_in_the_error_queue_with_its_reason_and_changes_nothing()
    {
        await using var service = await ServiceHost.StartBriefingsAsync(broker);
        await using var connection = await broker.Connect();
        var errorQueue = $"{CommandQueue}_error";
        await using (var purge = await connection.CreateChannelAsync())
        {
            // Created with the first fault; earlier tests' faults are not this test's.
            try
            {
                await purge.QueuePurgeAsync(errorQueue);
            }
            catch (OperationInterruptedException) { }
        }

        var marker = Guid.NewGuid().ToString("N");
        var cases = new (string Reason, string Json)[]
        {
            ("unknown-territory", BriefingJson("99", $"unknown territory {marker}")),
            ("date-in-future", BriefingJson("93", $"future {marker}", briefedOn: "2099-01-01")),
            ("summary", $$"""{"territory":"93","briefedOn":"2026-02-03","prosecutorOffice":"P","priorityThemes":["road-safety"]}"""),
            ("missing-field", BriefingJson("93", "")),
        };
        foreach (var (_, json) in cases)
            await AgencyProcess.PublishAsync(broker.AmqpUrl, CommandExchange, CommandUrn, NewId.NextGuid(), json);

        var faults = new List<string>();
        await Poller.UntilAsync(
            async () =>
            {
                try
                {
                    await using var channel = await connection.CreateChannelAsync();
                    while (await channel.BasicGetAsync(errorQueue, autoAck: true) is { } message)
                        faults.Add(Header(message, "MT-Fault-Message"));
                }
                catch (OperationInterruptedException)
                {
                    return false; // the error queue does not exist yet
                }
                return faults.Count >= cases.Length;
            },
            "four messages in the error queue"
        );

        foreach (var (reason, _) in cases)
            Assert.Contains(faults, f => f.Contains(reason, StringComparison.Ordinal));
        var recorded = await service.GetJsonAsync<List<BriefingView>>("/briefings");
        Assert.DoesNotContain(recorded, b => b.Summary.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(0, UnsentOutbox(service));
    }

    [Fact]
    public async Task Service_queues_are_quorum_queues()
    {
        await using var service = await ServiceHost.StartBriefingsAsync(broker);
        await using var connection = await broker.Connect();

        await using (var same = await connection.CreateChannelAsync())
            await same.QueueDeclareAsync(
                CommandQueue,
                durable: true,
                exclusive: false,
                autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }
            );

        await using var classic = await connection.CreateChannelAsync();
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            classic.QueueDeclareAsync(
                CommandQueue,
                durable: true,
                exclusive: false,
                autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }
            )
        );
        Assert.Equal(406, refused.ShutdownReason!.ReplyCode);
    }

    private static int UnsentOutbox(ServiceHost service, string? ofType = null)
    {
        using var scope = service.App.Services.CreateScope();
        return scope
            .ServiceProvider.GetRequiredService<BriefingsDbContext>()
            .OutboxMessages.Count(m => m.SentAt == null && (ofType == null || m.MessageType.Contains(ofType)));
    }

    private static string Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                _ => value?.ToString() ?? "",
            }
            : "";
}
