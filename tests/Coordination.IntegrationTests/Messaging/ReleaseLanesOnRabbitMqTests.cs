using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// The gateway under its own account from infra/rabbitmq/definitions.json, and a release request
/// sent under the CourtReporting service's account: the broker proves who asks, not the request.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ReleaseLanesOnRabbitMqTests(RabbitMqBroker broker) : IAsyncLifetime
{
    private const string Canary = "CANARY-Javert-Inspecteur";
    private ServiceHost _gateway = null!;

    private string UrlOf(string account) => AgencyClient.UrlAs(broker.AmqpUrl, account);

    public async Task InitializeAsync()
    {
        await broker.LoadDefinitionsAsync(BrokerPermissionsTests.DefinitionsPath());
        // The gateway alone seals a designation's grounds for Supervision with the public key Supervision publishes: stand in for it.
        new Coordination.ServiceDefaults.Sealing.SealingKeyStore(
            Path.Combine(_publicKeys, "supervision-private"),
            _publicKeys,
            owners: ["supervision"]
        ).PublishOwnKeys();
        _gateway = await ServiceHost.StartServiceAsync(
            a => Coordination.Gateway.Program.Build(a),
            broker,
            $"--Messaging:RabbitMqUrl={UrlOf("svc-gateway")}",
            "--Messaging:ConsumeTopologyFromBroker=true",
            $"--Sealing:PublicKeyDirectory={_publicKeys}"
        );
    }

    private readonly string _publicKeys = ServiceHost.NewFolder();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        ServiceHost.DeleteFolder(_publicKeys);
    }

    [Fact]
    public async Task A_release_forged_under_the_court_reporting_account_in_supervisions_name_is_denied_and_the_police_get_nothing()
    {
        // A designated person of 75, with the police assigned to the case in the gateway's own table.
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        var designationId = Guid.NewGuid();
        designation["messageId"] = designationId.ToString();
        designation["payload"]!["identity"]!["lastName"] = Canary;
        using (var jap = _gateway.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.Equal(
                HttpStatusCode.Accepted,
                (await AgencyClient.PostAsync(jap, "supervision.designate-person", designation.ToJsonString())).StatusCode
            );
        using var auditor = _gateway.ClientFor(DemoPrincipals.Named("auditor"));
        // The reference the door gave this designation (the shared broker's ingress queue may bring the gateway others').
        var accepted = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=5000"))!.Single(e =>
            e.GetProperty("references").GetString()!.Contains($"message:{designationId}")
        );
        var person = PersonRef.Parse(
            accepted.GetProperty("references").GetString()!.Split(',').Single(r => r.StartsWith("person:", StringComparison.Ordinal))[
                "person:".Length..
            ]
        );
        await using (var scope = _gateway.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.PartnerAssignments.Add(
                new Coordination.Gateway.Domain.PartnerAssignment
                {
                    CaseId = Guid.NewGuid(),
                    Person = person,
                    Partner = "75-police",
                    AssignedAt = DateTimeOffset.UtcNow,
                }
            );
            await db.SaveChangesAsync();
        }

        var keys = _gateway.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var releaseId = Guid.NewGuid();
        var forged = new ReleaseConfidentialPayload
        {
            ReleaseId = releaseId,
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.Identity, DataCategory.ContactDetails],
            Recipients = ["75-police"],
            Person = person,
            RequestedBy = "supervision",
            Payload = PayloadSealer.Seal(
                """{"identity":{},"contact-details":{}}"""u8,
                keys.CurrentKeyOf(KeyOwners.Gateway),
                "community-supervision",
                messageId
            ),
        };
        var body = JsonSerializer.Serialize(forged, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        const string urn = "urn:message:Coordination.Contracts.Gateway:ReleaseConfidentialPayload";

        // Its own lane is the only one it may write: not Supervision's, not the message type's exchange.
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AgencyProcess.PublishAsync(
                UrlOf("svc-court-reporting"),
                ReleaseLanes.QueueOf(ReleaseLanes.Supervision),
                urn,
                NewId.NextGuid(),
                body
            )
        );
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AgencyProcess.PublishAsync(
                UrlOf("svc-court-reporting"),
                "Coordination.Contracts.Gateway:ReleaseConfidentialPayload",
                urn,
                NewId.NextGuid(),
                body
            )
        );
        await AgencyProcess.PublishAsync(
            UrlOf("svc-court-reporting"),
            ReleaseLanes.QueueOf(ReleaseLanes.CourtReporting),
            urn,
            messageId,
            body
        );

        JsonElement? decision = null;
        await Poller.UntilAsync(
            async () =>
            {
                decision = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
                    .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{releaseId}"))
                    .Cast<JsonElement?>()
                    .FirstOrDefault();
                return decision is not null;
            },
            "the forged release decided and audited"
        );
        Assert.Equal(
            ("denied", "purpose-not-allowed-for-requester", "court-reporting"),
            (
                decision!.Value.GetProperty("outcome").GetString(),
                decision.Value.GetProperty("reason").GetString(),
                decision.Value.GetProperty("source").GetString()
            )
        );

        // Nothing of this release for the police, in its mailbox or its queue (others' leftovers aside).
        using var police = _gateway.ClientFor(DemoPrincipals.Named("police-75"));
        Assert.DoesNotContain(await MailboxReader.ReadAsync(police), d => d.GetRawText().Contains(releaseId.ToString()));
        await using var connection = await AgencyClient.ConnectAsync(broker, "75-police");
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(MailboxReader.InboxQueueOf("75-police"), autoAck: false) is { } left)
            Assert.DoesNotContain(releaseId.ToString(), Encoding.UTF8.GetString(left.Body.Span));
    }
}
