using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>A service asks the gateway to inform partners; the demo sharing rules decide, recipient by recipient.</summary>
public sealed class ReleaseTests : IAsyncLifetime
{
    private ServiceHost _host = null!;
    // One platform service registered as a recipient, with the role the rules may grant to.
    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync(null, "--Gateway:ServiceRecipients:supervision=operational-cell");
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Each_partner_receives_only_its_categories_identity_only_where_granted_and_third_parties_nothing()
    {
        // A designated person, so that the vault holds an identity to re-attach.
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        designation["messageId"] = Guid.NewGuid().ToString();
        designation["payload"]!["contact"]!["address"] = "CANARY 7 rue des Lilas";
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.Equal(HttpStatusCode.Accepted, (await jap.PostAsync("/ingress/supervision.designate-person",
                new StringContent(designation.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        PersonRef person;
        using (var scope = _host.App.Services.CreateScope())
            person = (await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.SingleAsync()).Person;

        // What the supervision service would send: contents sealed for the gateway, keyed by category.
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var contents = new JsonObject
        {
            ["control-plan"] = new JsonObject { ["nextControl"] = "2026-04-08" },
            ["circumstances-of-offence"] = "CANARY faits de violence",
        };
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.ContactDetails, DataCategory.ControlPlan, DataCategory.CircumstancesOfOffence],
            Recipients = ["75-association", "75-prison-administration", "93-association", "a-journalist"],
            Person = person,
            RequestedBy = "supervision",
            Payload = PayloadSealer.Seal(Encoding.UTF8.GetBytes(contents.ToJsonString()), keys.CurrentKeyOf("gateway"), "community-supervision", messageId),
        };
        await _host.Bus.Publish(request, ctx => ctx.MessageId = messageId);

        var association = await InboxOf("association-75", expected: 1);
        var prison = await InboxOf("prison-75", expected: 1);
        Assert.Empty(await InboxOf("association-93", expected: 0));

        var forAssociation = Open(association.Single(), "75-association", keys);
        Assert.Equal(["contact-details", "control-plan"], forAssociation.Select(p => p.Key).Order());
        Assert.Contains("CANARY 7 rue des Lilas", forAssociation["contact-details"]!.ToJsonString());
        Assert.DoesNotContain("identity", forAssociation.Select(p => p.Key));
        var forPrison = Open(prison.Single(), "75-prison-administration", keys);
        Assert.Equal(["circumstances-of-offence", "contact-details", "control-plan"], forPrison.Select(p => p.Key).Order());

        // Sealed for one recipient: another's key does not open it.
        using var otherRing = keys.RingFor("75-prison-administration");
        var sealedForAssociation = association.Single().GetProperty("body").GetProperty("payload").Deserialize<SealedPayload>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Throws<SealingException>(() => PayloadSealer.Open(sealedForAssociation, otherRing, "community-supervision", association.Single().GetProperty("id").GetGuid()));

        // Every decision audited, with references and codes only.
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{request.ReleaseId}")).ToList();
        Assert.Equal(
            [("75-association", "released", "partly-granted"), ("75-prison-administration", "released", "granted"), ("93-association", "denied", "other-territory"), ("a-journalist", "denied", "third-party")],
            audit.Select(e => (e.GetProperty("recipient").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString())).OrderBy(t => t.Item1));
        Assert.DoesNotContain(audit, e => e.GetRawText().Contains("CANARY", StringComparison.Ordinal));
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_registered_service_endpoint_receives_its_grant_on_the_bus_sealed_for_it_and_an_unregistered_one_nothing()
    {
        using (var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75")))
            Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsync("/sharing-rules/75", new StringContent("""
                {"proposedBy":["cellule de coordination"],"rules":[{"category":"control-outcomes","roles":["operational-cell"],"purpose":"community-supervision","legalBasis":"CSI L132-10-1 I 3°"}]}
                """, Encoding.UTF8, "application/json"))).StatusCode);

        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.ControlOutcomes, DataCategory.CircumstancesOfOffence],
            Recipients = ["service:supervision", "service:newsroom"],
            RequestedBy = "courtreporting",
            Payload = PayloadSealer.Seal(Encoding.UTF8.GetBytes("""{"control-outcomes":["compliant","missed"],"circumstances-of-offence":"CANARY"}"""),
                keys.CurrentKeyOf("gateway"), "community-supervision", messageId),
        };
        await _host.Bus.Publish(request, ctx => ctx.MessageId = messageId);

        Coordination.ServiceDefaults.Outbox.OutboxMessage? delivered = null;
        await Poller.UntilAsync(async () =>
        {
            using var scope = _host.App.Services.CreateScope();
            delivered = await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().OutboxMessages
                .FirstOrDefaultAsync(m => m.MessageType.Contains(nameof(ConfidentialPayloadDelivered)));
            return delivered is not null;
        }, "the delivery to the service endpoint");
        Assert.DoesNotContain("CANARY", delivered!.Body);
        var message = JsonSerializer.Deserialize<ConfidentialPayloadDelivered>(delivered.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal("service:supervision", message.Recipient);
        Assert.Equal([DataCategory.ControlOutcomes], message.Categories);
        using var ring = keys.RingFor("supervision");
        var opened = JsonNode.Parse(PayloadSealer.Open(message.Payload, ring, "community-supervision", delivered.MessageId))!.AsObject();
        Assert.Equal(["control-outcomes"], opened.Select(p => p.Key));

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{request.ReleaseId}"))
            .Select(e => (e.GetProperty("recipient").GetString(), e.GetProperty("reason").GetString(), e.GetProperty("source").GetString())).OrderBy(t => t.Item1);
        Assert.Equal([("service:newsroom", "third-party", "courtreporting"), ("service:supervision", "partly-granted", "courtreporting")], audit);
    }

    private async Task<List<JsonElement>> InboxOf(string principal, int expected)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        List<JsonElement> inbox = [];
        await Poller.UntilAsync(async () =>
        {
            inbox = (await agency.GetFromJsonAsync<List<JsonElement>>("/egress/inbox"))!;
            return inbox.Count >= expected;
        }, $"{expected} deliveries for {principal}");
        return inbox;
    }

    private static JsonObject Open(JsonElement delivery, string owner, SealingKeyStore keys)
    {
        using var ring = keys.RingFor(owner);
        var sealedPayload = delivery.GetProperty("body").GetProperty("payload").Deserialize<SealedPayload>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return JsonNode.Parse(PayloadSealer.Open(sealedPayload, ring, "community-supervision", delivery.GetProperty("id").GetGuid()))!.AsObject();
    }
}
