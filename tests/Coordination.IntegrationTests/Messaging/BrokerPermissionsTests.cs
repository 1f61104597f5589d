using System.Text;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>infra/rabbitmq/definitions.json loaded into the real broker: each account can do its job and nothing else.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerPermissionsTests(RabbitMqBroker broker) : IAsyncLifetime
{
    public static string DefinitionsPath() => Repository.File("infra", "rabbitmq", "definitions.json");

    public Task InitializeAsync() => broker.LoadDefinitionsAsync(DefinitionsPath());

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<IConnection> As(string account) => AgencyClient.ConnectAsync(broker, account);

    /// <summary>
    /// The reply code of the broker's refusal. Each check gets a connection of its own: after the
    /// broker closes a channel, reusing its number on the same connection can race the close.
    /// </summary>
    private async Task<ushort> RefusalCode(Func<IChannel, Task> action, string account)
    {
        await using var own = await As(account);
        await using var channel = await own.CreateChannelAsync();
        var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => action(channel));
        return refused.ShutdownReason!.ReplyCode;
    }

    [Fact]
    public async Task An_agency_cannot_read_another_agencys_inbox()
    {
        await using var spip = await As("75-spip");
        Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync("agency.75-jap.inbox", autoAck: true), "75-spip"));
        Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync("agency.93-spip.inbox", autoAck: true), "75-spip"));
        await using var own = await spip.CreateChannelAsync();
        // Its own: allowed (whatever earlier tests left there; a refusal would close the channel).
        await own.BasicGetAsync("agency.75-spip.inbox", autoAck: false);
        await own.BasicGetAsync("agency.75-spip.rejected", autoAck: false);
        Assert.True(own.IsOpen);
    }

    [Fact]
    public async Task An_agency_cannot_bind_to_an_internal_exchange_or_declare_anything()
    {
        await using var association = await As("75-association");
        Assert.Equal(
            403,
            await RefusalCode(
                c => c.QueueBindAsync("agency.75-association.inbox", "Coordination.Contracts.Briefings:PenalPolicyBriefingRecorded", ""),
                "75-association"
            )
        );
        Assert.Equal(
            403,
            await RefusalCode(c => c.QueueDeclareAsync("snooping", durable: false, exclusive: true, autoDelete: true), "75-association")
        );
        Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync("gateway-ingress", autoAck: true), "75-association"));
    }

    public static TheoryData<string> Services() => ["gateway", "supervision", "opinions", "court-reporting"];

    /// <summary>
    /// Each service, alone under its own account from definitions.json, starts its bus (declaring its
    /// own queues and exchanges; the bindings of what it consumes are the definitions') and reports ready.
    /// A permission too narrow for one of its names stops the bus: the host would never start.
    /// </summary>
    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_starts_under_its_own_least_privilege_account(string service)
    {
        Func<string[], Microsoft.AspNetCore.Builder.WebApplication> build = service switch
        {
            "gateway" => a => Coordination.Gateway.Program.Build(a),
            "supervision" => a => Coordination.Supervision.Program.Build(a),
            "opinions" => a => Coordination.Opinions.Program.Build(a),
            "court-reporting" => a => Coordination.CourtReporting.Program.Build(a),
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
        var account = $"svc-{service}";
        var url = AgencyClient.UrlAs(broker.AmqpUrl, account);
        var starting = ServiceHost.StartServiceAsync(
            build,
            broker,
            $"--Messaging:RabbitMqUrl={url}",
            "--Messaging:ConsumeTopologyFromBroker=true",
            "--Demo:Seed=false"
        );
        await using var host = await starting.WaitAsync(TimeSpan.FromSeconds(60));
        var ready = await host.Http.GetAsync("/health/ready");
        Assert.True(
            ready.IsSuccessStatusCode,
            $"{service} under {account}: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}"
        );
    }

    [Fact]
    public async Task The_briefings_service_does_its_work_under_its_own_least_privilege_account()
    {
        var url = AgencyClient.UrlAs(broker.AmqpUrl, "svc-briefings");
        // The briefing reaches it through the definitions' binding: the service binds nothing itself.
        await using var service = await ServiceHost.StartBriefingsAsync(
            broker,
            null,
            $"--Messaging:RabbitMqUrl={url}",
            "--Messaging:ConsumeTopologyFromBroker=true"
        );
        var deliveries = ConsumeCounter<Coordination.Contracts.Briefings.RecordPenalPolicyBriefing>.On(service.Bus);
        var messageId = MassTransit.NewId.NextGuid();
        await AgencyProcess.PublishAsync(
            broker.AmqpUrl,
            "Coordination.Contracts.Briefings:RecordPenalPolicyBriefing",
            "urn:message:Coordination.Contracts.Briefings:RecordPenalPolicyBriefing",
            messageId,
            """{"territory":"93","briefedOn":"2026-02-03","prosecutorOffice":"Parquet","priorityThemes":["road-safety"]"""
                + ""","summary":"Sous son propre compte."}"""
        );
        await Poller.UntilAsync(
            () => deliveries.ConsumedWithId(messageId) == 1,
            "the briefing consumed by the service under svc-briefings"
        );
        Assert.Empty(deliveries.Faults);
    }

    [Fact]
    public async Task A_service_cannot_delete_or_redeclare_an_exchange_another_service_owns()
    {
        const string opened = "Coordination.Contracts.Supervision:SupervisionOpened";
        // Court reporting consumes SupervisionOpened, and may not take it away from the others that bind to it.
        Assert.Equal(403, await RefusalCode(c => c.ExchangeDeleteAsync(opened), "svc-court-reporting"));
        Assert.Equal(
            403,
            await RefusalCode(c => c.ExchangeDeclareAsync(opened, ExchangeType.Fanout, durable: true), "svc-court-reporting")
        );
        Assert.Equal(
            403,
            await RefusalCode(c => c.ExchangeDeleteAsync("Coordination.Contracts.Briefings:RecordPenalPolicyBriefing"), "svc-briefings")
        );
        // Nor send on another requester's release lane.
        Assert.Equal(
            403,
            await RefusalCode(
                c => c.ExchangeDeclareAsync("gateway-release-from-opinions", ExchangeType.Fanout, durable: true),
                "svc-court-reporting"
            )
        );

        await using var admin = await broker.Connect();
        await using var inspect = await admin.CreateChannelAsync();
        await inspect.ExchangeDeclarePassiveAsync(opened); // still there
    }

    [Fact]
    public async Task One_account_cannot_declare_or_delete_another_accounts_bus_queue()
    {
        var supervisionBus = $"supervision_bus_{Guid.NewGuid():N}";
        await using var admin = await broker.Connect();
        await using var inspect = await admin.CreateChannelAsync();
        await inspect.QueueDeclareAsync(supervisionBus, durable: false, exclusive: false, autoDelete: false);
        try
        {
            Assert.Equal(403, await RefusalCode(c => c.QueueDeleteAsync(supervisionBus), "svc-opinions"));
            Assert.Equal(
                403,
                await RefusalCode(
                    c => c.QueueDeclareAsync($"supervision_bus_{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true),
                    "svc-opinions"
                )
            );
            Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync(supervisionBus, autoAck: true), "svc-opinions"));
            await inspect.QueueDeclarePassiveAsync(supervisionBus); // still there

            // Its own: allowed.
            await using var opinions = await As("svc-opinions");
            await using var own = await opinions.CreateChannelAsync();
            await own.QueueDeclareAsync($"opinions_bus_{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true);
            Assert.True(own.IsOpen);
        }
        finally
        {
            await inspect.QueueDeleteAsync(supervisionBus);
        }
    }

    [Fact]
    public async Task A_service_cannot_read_the_gateways_queues()
    {
        await using var briefings = await As("svc-briefings");
        Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync("gateway-ingress", autoAck: true), "svc-briefings"));
        Assert.Equal(403, await RefusalCode(c => c.BasicGetAsync("agency.75-jap.inbox", autoAck: true), "svc-briefings"));
    }

    [Fact]
    public async Task An_agency_publishes_to_the_ingress_as_itself_and_only_as_itself()
    {
        // What earlier tests' hosts left in the shared ingress queue (a delivery requeued as a host
        // stopped) is not this test's: start from an empty queue, so the one message read is ours.
        await using (var cleaner = await broker.Connect())
        await using (var purge = await cleaner.CreateChannelAsync())
            await purge.QueuePurgeAsync("gateway-ingress");

        await using var jap = await As("75-jap");
        await using (
            var channel = await jap.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
            )
        )
        {
            await channel.BasicPublishAsync(
                "coordination.ingress",
                "supervision.designate-person",
                false,
                new BasicProperties { UserId = "75-jap", DeliveryMode = DeliveryModes.Persistent },
                Encoding.UTF8.GetBytes("{}")
            );
        }

        // The broker checks user_id against the account: an agency cannot speak for another.
        await using var forging = await jap.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)
        );
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            forging
                .BasicPublishAsync(
                    "coordination.ingress",
                    "supervision.designate-person",
                    false,
                    new BasicProperties { UserId = "75-prosecutor" },
                    Encoding.UTF8.GetBytes("{}")
                )
                .AsTask()
        );
        Assert.Contains(
            "406",
            (refused as OperationInterruptedException)?.ShutdownReason?.ReplyCode.ToString()
                ?? forging.CloseReason?.ReplyCode.ToString()
                ?? refused.Message
        );

        // Nor publish anywhere but the ingress, nor with a routing key that is no agency message type.
        Assert.Equal(
            403,
            await RefusalCode(
                c =>
                    c.BasicPublishAsync(
                            "Coordination.Contracts.Briefings:RecordPenalPolicyBriefing",
                            "",
                            false,
                            new BasicProperties(),
                            Encoding.UTF8.GetBytes("{}")
                        )
                        .AsTask()
                        .ContinueWith(t => c.BasicQosAsync(0, 1, false))
                        .Unwrap(),
                "75-jap"
            )
        );
        Assert.Equal(
            403,
            await RefusalCode(
                c =>
                    c.BasicPublishAsync(
                            "coordination.ingress",
                            "gateway.rewrite-rules",
                            false,
                            new BasicProperties(),
                            Encoding.UTF8.GetBytes("{}")
                        )
                        .AsTask()
                        .ContinueWith(t => c.BasicQosAsync(0, 1, false))
                        .Unwrap(),
                "75-jap"
            )
        );

        await using var admin = await broker.Connect();
        await using var inspect = await admin.CreateChannelAsync();
        var delivered = await inspect.BasicGetAsync("gateway-ingress", autoAck: true);
        Assert.NotNull(delivered);
        Assert.Equal(("75-jap", "supervision.designate-person"), (delivered.BasicProperties.UserId, delivered.RoutingKey));
        Assert.Null(await inspect.BasicGetAsync("gateway-ingress", autoAck: true)); // the refused ones never arrived
    }
}
