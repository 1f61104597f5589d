using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Briefings.Api;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RabbitMQ.Client;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// Agencies on the real broker, under their own accounts from infra/rabbitmq/definitions.json,
/// through the gateway's AMQP door to the services (all of them in one host, on RabbitMQ).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class AmqpIngressTests(RabbitMqBroker broker) : IAsyncLifetime
{
    private const string Canary = "CANARY-Jean-Valjean-24601";
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        await broker.LoadDefinitionsAsync(BrokerPermissionsTests.DefinitionsPath());
        _host = await ServiceHost.StartAllInOneAsync(
            b => b.Logging.AddFakeLogging(),
            "--Messaging:Transport=RabbitMq",
            $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
            "--Logging:LogLevel:Default=Debug"
        );
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string UrlOf(string account) => AgencyClient.UrlAs(broker.AmqpUrl, account);

    [Fact]
    public async Task A_prosecutors_briefing_published_on_the_ingress_reaches_the_briefings_service()
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        var messageId = Guid.NewGuid();
        var summary = $"Par AMQP {messageId:N}";
        envelope["messageId"] = messageId.ToString();
        envelope["payload"]!["summary"] = summary;

        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-prosecutor"),
            "75-prosecutor",
            IngressTypeNames.RecordBriefing,
            messageId,
            envelope.ToJsonString()
        );

        await Poller.UntilAsync(
            async () => (await _host.GetJsonAsync<List<BriefingView>>("/briefings?territory=75")).Any(b => b.Summary == summary),
            "the briefing recorded"
        );
    }

    [Fact]
    public async Task A_designation_from_the_jap_account_reaches_supervision_under_a_person_ref_with_sealed_grounds()
    {
        await using var supervisionSide = await EventTap.StartAsync<Coordination.Contracts.Supervision.DesignatePerson>(broker);
        var spans = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
                spans.Enqueue(
                    $"{a.Source.Name}|{a.DisplayName}|{string.Join(";", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}|"
                        + $"{string.Join(";", a.Events.Select(e => e.Name))}"
                ),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson);
        var messageId = Guid.NewGuid();
        envelope["messageId"] = messageId.ToString();
        envelope["payload"]!["identity"]!["lastName"] = "Valjean-CANARY";

        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-jap"),
            "75-jap",
            IngressTypeNames.DesignatePerson,
            messageId,
            envelope.ToJsonString()
        );

        await Poller.UntilAsync(() => !supervisionSide.Received.IsEmpty, "the designation forwarded to supervision");
        var (wireId, designation) = Assert.Single(supervisionSide.Received);
        Assert.DoesNotContain("Valjean", designation.GetRawText());
        Assert.DoesNotContain("personality", designation.GetRawText());
        Assert.True(Coordination.Contracts.Values.PersonRef.TryParse(designation.GetProperty("person").GetString(), out var person));
        Assert.Equal("75", person.Territory.Value);

        // Audited as accepted, naming the reference, never the person.
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var accepted = (
            await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement[]>(auditor, "/audit?limit=1000")
        )!.Single(e => e.GetProperty("references").GetString()!.Contains($"message:{messageId}"));
        Assert.Equal(
            ("ingress-accepted", "75-jap"),
            (accepted.GetProperty("kind").GetString(), accepted.GetProperty("source").GetString())
        );
        Assert.Contains($"person:{person.Value}", accepted.GetProperty("references").GetString());

        // ...and the Supervision service opened the case under that reference.
        await Poller.UntilAsync(
            async () => (await _host.Http.GetAsync($"/supervision/cases/{person.Value}")).IsSuccessStatusCode,
            "the case opened by Supervision"
        );

        var sealedGrounds = designation
            .GetProperty("grounds")
            .Deserialize<Coordination.Contracts.Gateway.SealedPayload>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var keys = _host.App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        using var supervision = keys.RingFor("supervision");
        var grounds = Coordination.ServiceDefaults.Sealing.PayloadSealer.OpenJson<List<string>>(
            sealedGrounds,
            supervision,
            "community-supervision",
            Guid.Parse(wireId)
        );
        Assert.Equal(["personality", "social-situation"], grounds);
        using var spip = keys.RingFor("75-spip");
        Assert.Throws<Coordination.ServiceDefaults.Sealing.SealingException>(() =>
            Coordination.ServiceDefaults.Sealing.PayloadSealer.Open(sealedGrounds, spip, "community-supervision", Guid.Parse(wireId))
        );

        // The canary is in no span attribute, no log line, and no error queue.
        Assert.Contains(
            spans,
            s =>
                s.StartsWith("Coordination|gateway ingress supervision.designate-person|", StringComparison.Ordinal)
                && s.Contains("coordination.decision.id=", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(spans, s => s.Contains("Valjean", StringComparison.Ordinal));
        Assert.DoesNotContain(
            _host.App.Services.GetFakeLogCollector().GetSnapshot(),
            l => (l.Message + l.Exception).Contains("Valjean", StringComparison.Ordinal)
        );
        await using var admin = await broker.Connect();
        foreach (
            var errorQueue in new[]
            {
                "gateway-release-from-supervision_error",
                "gateway-release-from-court-reporting_error",
                "briefings-record-penal-policy-briefing_error",
                "gateway-ingress",
            }
        )
        {
            await using var inspect = await admin.CreateChannelAsync();
            try
            {
                while (await inspect.BasicGetAsync(errorQueue, autoAck: false) is { } parked)
                    Assert.DoesNotContain("Valjean", Encoding.UTF8.GetString(parked.Body.Span));
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // Never created: nothing ever failed there.
            }
        }
    }

    [Fact]
    public async Task Agency_ids_that_could_escape_a_path_or_queue_name_are_refused()
    {
        // The too-long id is as long as the deliveries' column holds (100), past the 40-character slug:
        // a 200-character one could never be stored on SQL Server, so it proved nothing of the pusher.
        string[] escaping = ["../../etc", "75-police/../x", "75-police.inbox.x", "", "75-" + new string('a', 97)];
        var now = DateTimeOffset.UtcNow;
        var valid = Guid.NewGuid();
        using (var scope = _host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
            foreach (var (agency, i) in escaping.Select((a, i) => (a, i)))
            foreach (var type in new[] { "gateway.rejected", "supervision.case-information" })
                db.Set<Coordination.Gateway.Domain.AgencyDelivery>()
                    .Add(
                        new Coordination.Gateway.Domain.AgencyDelivery
                        {
                            Id = Guid.NewGuid(),
                            Agency = agency,
                            Type = type,
                            Body = "{}",
                            CreatedAt = now.AddMilliseconds(i),
                        }
                    );
            // Pushed after them: once it is in its queue, the pusher has been past every escaping one.
            db.Set<Coordination.Gateway.Domain.AgencyDelivery>()
                .Add(
                    new Coordination.Gateway.Domain.AgencyDelivery
                    {
                        Id = valid,
                        Agency = "75-police",
                        Type = "supervision.case-information",
                        Body = "{}",
                        CreatedAt = now.AddSeconds(1),
                    }
                );
            await db.SaveChangesAsync();
        }
        await Poller.UntilAsync(
            async () =>
            {
                using var scope = _host.App.Services.CreateScope();
                return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
                    scope
                        .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
                        .Set<Coordination.Gateway.Domain.AgencyDelivery>(),
                    d => d.Id == valid && d.PushedAt != null
                );
            },
            "the valid delivery pushed"
        );

        using (var scope = _host.App.Services.CreateScope())
            Assert.Equal(
                escaping.Length * 2,
                await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
                    scope
                        .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
                        .Set<Coordination.Gateway.Domain.AgencyDelivery>(),
                    d => d.PushedAt == null
                )
            );
        await using var admin = await broker.Connect();
        foreach (var agency in escaping)
        foreach (var box in new[] { "inbox", "rejected" })
        {
            await using var inspect = await admin.CreateChannelAsync();
            var error = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(() =>
                inspect.QueueDeclarePassiveAsync($"agency.{agency}.{box}")
            );
            Assert.Equal((ushort)404, error.ShutdownReason!.ReplyCode);
        }
    }

    [Fact]
    public async Task A_release_reaches_the_partners_own_inbox_queue_sealed_for_it()
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson);
        var designationId = Guid.NewGuid();
        envelope["messageId"] = designationId.ToString();
        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-prosecutor"),
            "75-prosecutor",
            IngressTypeNames.DesignatePerson,
            designationId,
            envelope.ToJsonString()
        );
        Coordination.Contracts.Values.PersonRef person = default;
        await Poller.UntilAsync(
            async () =>
            {
                using var scope = _host.App.Services.CreateScope();
                var entry = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
                    scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>().Vault
                );
                if (entry is null)
                    return false;
                person = entry.Person;
                return true;
            },
            "the designation in the vault"
        );

        var keys = _host.App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        var messageId = MassTransit.NewId.NextGuid();
        await _host.AssignPartnerAsync(person, "75-association");
        await _host.SendReleaseRequestAsync(
            "supervision",
            new Coordination.Contracts.Gateway.ReleaseConfidentialPayload
            {
                ReleaseId = Guid.NewGuid(),
                Territory = person.Territory,
                Purpose = "community-supervision",
                Categories = [Coordination.Contracts.Gateway.DataCategory.ControlPlan],
                Recipients = ["75-association"],
                Person = person,
                Payload = Coordination.ServiceDefaults.Sealing.PayloadSealer.Seal(
                    Encoding.UTF8.GetBytes("""{"control-plan":{"nextControl":"2026-04-08"}}"""),
                    keys.CurrentKeyOf("gateway"),
                    "community-supervision",
                    messageId
                ),
            },
            messageId
        );

        await using var association = await AgencyClient.ConnectAsync(broker, "75-association");
        await using var channel = await association.CreateChannelAsync();
        QueuedMessage? delivered = null;
        await Poller.UntilAsync(
            async () => (delivered = await MailboxReader.TakeAsync(channel, MailboxReader.InboxQueueOf("75-association"))) is not null,
            "the delivery in agency.75-association.inbox"
        );
        var opened = Encoding.UTF8.GetString(
            DeliveryOpener.OpenBytes(
                keys,
                "75-association",
                delivered!.Body.GetProperty("payload"),
                delivered.MessageId!.Value,
                "community-supervision"
            )
        );
        Assert.Contains("2026-04-08", opened);
        Assert.DoesNotContain("Martin", delivered!.Raw);
    }

    [Fact]
    public async Task Useful_information_from_the_spip_is_answered_in_its_own_rejection_queue_and_the_canary_is_nowhere()
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.ShareInformation);
        var messageId = Guid.NewGuid();
        envelope["messageId"] = messageId.ToString();
        envelope["payload"]!["information"] = $"{Canary} sort le 3 mars.";

        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-spip"),
            "75-spip",
            IngressTypeNames.ShareInformation,
            messageId,
            envelope.ToJsonString()
        );

        var rejection = await RejectionAssertions.AssertRefusedOverAmqpAsync(
            broker,
            "75-spip",
            messageId,
            ReasonCodes.ForbiddenInboundFlow,
            notice => Assert.DoesNotContain("Valjean", notice)
        );
        Assert.Equal(
            (ReasonCodes.ForbiddenInboundFlow, "75-spip"),
            (rejection.GetProperty("reasonCode").GetString(), rejection.GetProperty("sourceAgency").GetString())
        );

        // Kept where the sender can see it: its own message, sealed for its own key.
        var keys = _host.App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        var opened = Encoding.UTF8.GetString(
            DeliveryOpener.OpenBytes(
                keys,
                "75-spip",
                rejection.GetProperty("original"),
                rejection.GetProperty("decisionId").GetGuid(),
                "rejected-message"
            )
        );
        Assert.Contains(Canary, opened);

        // Audited, with references and the reason only.
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement[]>(auditor, "/audit?limit=1000");
        var entry = Assert.Single(audit!, e => e.GetProperty("decisionId").GetGuid() == rejection.GetProperty("decisionId").GetGuid());
        Assert.Equal(
            ("ingress-rejected", ReasonCodes.ForbiddenInboundFlow),
            (entry.GetProperty("kind").GetString(), entry.GetProperty("reason").GetString())
        );
        Assert.Contains($"message:{messageId}", entry.GetProperty("references").GetString());
        Assert.DoesNotContain("Valjean", entry.GetRawText());

        // Nowhere else: no queue the platform reads or keeps holds it, nor any log line.
        await using var admin = await broker.Connect();
        foreach (var queue in new[] { "gateway-ingress", "agency.75-spip.inbox" })
        {
            await using var inspect = await admin.CreateChannelAsync();
            Assert.Equal(0u, (await inspect.QueueDeclarePassiveAsync(queue)).MessageCount);
        }
        // The JAP's and the prosecutor's inboxes hold only the receipts of their own designations (other tests of this class), sealed.
        foreach (var queue in new[] { "agency.75-jap.inbox", "agency.75-prosecutor.inbox" })
        {
            await using var inspect = await admin.CreateChannelAsync();
            while (await inspect.BasicGetAsync(queue, autoAck: true) is { } receipt)
            {
                Assert.Contains(receipt.BasicProperties.Type, new[] { "supervision.designation-accepted", "supervision.case-ended" });
                Assert.DoesNotContain("Valjean", Encoding.UTF8.GetString(receipt.Body.Span));
            }
        }
        var logs = _host.App.Services.GetFakeLogCollector().GetSnapshot();
        Assert.DoesNotContain(logs, l => (l.Message + l.Exception).Contains("Valjean", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_without_a_proven_sender_is_refused_and_answered_to_no_one()
    {
        var envelope = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        var messageId = Guid.NewGuid();
        envelope["messageId"] = messageId.ToString();
        envelope["payload"]!["summary"] = $"Sans expéditeur {messageId:N}";

        // guest sets no user_id: the broker proves nothing, so the gateway forwards nothing.
        await AgencyProcess.PublishAsync(
            broker.AmqpUrl,
            "coordination.ingress",
            IngressTypeNames.RecordBriefing,
            messageId,
            envelope.ToJsonString(),
            raw: true,
            routingKey: IngressTypeNames.RecordBriefing
        );

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        await Poller.UntilAsync(
            async () =>
            {
                var audit = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement[]>(
                    auditor,
                    "/audit?limit=1000"
                );
                return audit!.Any(e => e.GetProperty("reason").GetString() == ReasonCodes.UnidentifiedSource);
            },
            "the refusal audited"
        );
        Assert.DoesNotContain(
            await _host.GetJsonAsync<List<BriefingView>>("/briefings"),
            b => b.Summary.Contains(messageId.ToString("N"), StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Envelopes_the_platform_cannot_read_are_answered_and_the_door_stays_open_behind_them()
    {
        var version = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        var versionId = Guid.NewGuid();
        version["messageId"] = versionId.ToString();
        version["schemaVersion"] = 2147483648L;
        var incident = IngressOverHttpTests.Example(IngressTypeNames.ReportIncident);
        var incidentId = Guid.NewGuid();
        incident["messageId"] = incidentId.ToString();
        incident["payload"]!["occurredAt"] = "2026-11-10 10:00:00Z";
        var valid = IngressOverHttpTests.Example(IngressTypeNames.RecordBriefing);
        var validId = Guid.NewGuid();
        valid["messageId"] = validId.ToString();
        valid["payload"]!["summary"] = $"Derrière deux messages illisibles {validId:N}";

        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-prosecutor"),
            "75-prosecutor",
            IngressTypeNames.RecordBriefing,
            versionId,
            version.ToJsonString()
        );
        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-association"),
            "75-association",
            IngressTypeNames.ReportIncident,
            incidentId,
            incident.ToJsonString()
        );
        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-prosecutor"),
            "75-prosecutor",
            IngressTypeNames.RecordBriefing,
            validId,
            valid.ToJsonString()
        );

        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<List<BriefingView>>("/briefings?territory=75")).Any(b =>
                    b.Summary.Contains(validId.ToString("N"))
                ),
            "the valid briefing behind them recorded"
        );
        await Poller.UntilAsync(
            async () =>
            {
                var audit = await AuditAsync();
                return audit.Any(e =>
                        e.GetProperty("references").GetString()!.Contains($"message:{versionId}")
                        && e.GetProperty("reason").GetString() == ReasonCodes.InvalidEnvelope
                    )
                    && audit.Any(e =>
                        e.GetProperty("references").GetString()!.Contains($"message:{incidentId}")
                        && e.GetProperty("reason").GetString() == ReasonCodes.InvalidPayload
                    );
            },
            "both refusals audited with their reason codes"
        );
        Assert.DoesNotContain(
            _host.App.Services.GetFakeLogCollector().GetSnapshot(),
            l => l.Message.Contains("could not decide", StringComparison.Ordinal)
        );
    }

    private async Task<JsonElement[]> AuditAsync()
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        return (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement[]>(auditor, "/audit?limit=5000"))!;
    }
}
