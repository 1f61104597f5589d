using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RabbitMQ.Client;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// The JAP as a system on the real broker, under its own account: it designates with its own
/// reference, finds its receipt in <c>agency.75-jap.inbox</c>, withdraws by that reference, and is
/// told the case ended, each sealed for its key alone.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ReceiptsOnRabbitMqTests(RabbitMqBroker broker) : IAsyncLifetime
{
    private const string Canary = "CANARY-Javert-1832";
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
        // Receipts of earlier runs on this broker are not this test's.
        await using var jap = await AgencyClient.ConnectAsync(broker, "75-jap");
        await using var channel = await jap.CreateChannelAsync();
        try
        {
            await channel.QueuePurgeAsync(MailboxReader.InboxQueueOf("75-jap"));
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string UrlOf(string account) => AgencyClient.UrlAs(broker.AmqpUrl, account);

    [Fact]
    public async Task The_jap_designates_over_amqp_finds_its_reference_in_its_receipt_and_withdraws_by_it()
    {
        var reference = $"JAP-{Guid.NewGuid():N}"[..24];
        var designation = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson);
        var designationId = Guid.NewGuid();
        designation["messageId"] = designationId.ToString();
        designation["payload"]!["identity"]!["lastName"] = $"Javert-{Canary}";
        designation["payload"]!["authorityReference"] = reference;
        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-jap"),
            "75-jap",
            IngressTypeNames.DesignatePerson,
            designationId,
            designation.ToJsonString()
        );

        await using var jap = await AgencyClient.ConnectAsync(broker, "75-jap");
        await using var channel = await jap.CreateChannelAsync();
        var (acceptedRaw, accepted) = await NextAsync(channel, "supervision.designation-accepted");
        var receipt = accepted["designation-receipt"]!;
        var person = receipt["personRef"]!.GetValue<string>();
        Assert.True(Coordination.Contracts.Values.PersonRef.TryParse(person, out var parsed) && parsed.Territory.Value == "75");
        Assert.Equal((reference, "open"), (receipt["authorityReference"]!.GetValue<string>(), receipt["status"]!.GetValue<string>()));
        // On the wire the reference and the identity are sealed: only the PersonRef is in clear, on the delivery.
        Assert.DoesNotContain(reference, acceptedRaw);
        Assert.DoesNotContain("CANARY", acceptedRaw);
        Assert.DoesNotContain("CANARY", accepted.ToJsonString());

        var withdrawal = IngressOverHttpTests.Example(IngressTypeNames.WithdrawDesignation);
        var withdrawalId = Guid.NewGuid();
        withdrawal["messageId"] = withdrawalId.ToString();
        withdrawal["payload"] = new JsonObject { ["authorityReference"] = reference };
        await AgencyProcess.PublishToIngressAsync(
            UrlOf("75-jap"),
            "75-jap",
            IngressTypeNames.WithdrawDesignation,
            withdrawalId,
            withdrawal.ToJsonString()
        );

        var (endedRaw, ended) = await NextAsync(channel, "supervision.case-ended");
        Assert.Equal(
            (person, reference, "designation-withdrawn"),
            (
                ended["designation-receipt"]!["personRef"]!.GetValue<string>(),
                ended["designation-receipt"]!["authorityReference"]!.GetValue<string>(),
                ended["designation-receipt"]!["endReason"]!.GetValue<string>()
            )
        );
        Assert.DoesNotContain(reference, endedRaw);

        // Nothing of the identity nor of the authority's reference in any log line of the whole platform.
        Assert.DoesNotContain(
            _host.App.Services.GetFakeLogCollector().GetSnapshot(),
            l =>
                (l.Message + l.Exception).Contains("CANARY", StringComparison.Ordinal)
                || (l.Message + l.Exception).Contains(reference, StringComparison.Ordinal)
        );
    }

    /// <summary>The next delivery of that type in the JAP's inbox queue, opened with its own key (bound to the delivery's id).</summary>
    private async Task<(string Raw, JsonObject Contents)> NextAsync(IChannel channel, string type)
    {
        QueuedMessage? delivered = null;
        await Poller.UntilAsync(
            async () =>
            {
                delivered = await MailboxReader.TakeAsync(channel, MailboxReader.InboxQueueOf("75-jap"));
                return delivered is not null && delivered.Type == type;
            },
            $"{type} in agency.75-jap.inbox"
        );
        return (delivered!.Raw, DeliveryOpener.OpenQueued(_host.Keys, "75-jap", delivered));
    }
}
