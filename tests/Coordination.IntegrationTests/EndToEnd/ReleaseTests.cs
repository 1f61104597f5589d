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

/// <summary>
/// A service asks the gateway to inform partners, on its own lane; the requester's release policy,
/// then the demo sharing rules, decide recipient by recipient. Nothing a request says about its
/// sender, or an identity it carries, is believed.
/// </summary>
public sealed class ReleaseTests : IAsyncLifetime
{
    private const string Canary = "CANARY-Cosette-Fauchelevent";
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Each_partner_receives_only_its_categories_identity_only_where_granted_and_third_parties_nothing()
    {
        var person = await DesignateAsync("CANARY 7 rue des Lilas");
        await _host.AssignPartnerAsync(person, "75-association");
        await _host.AssignPartnerAsync(person, "75-prison-administration");

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
            Payload = PayloadSealer.Seal(
                Encoding.UTF8.GetBytes(contents.ToJsonString()),
                keys.CurrentKeyOf("gateway"),
                "community-supervision",
                messageId
            ),
        };
        await _host.SendReleaseRequestAsync("supervision", request, messageId);

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
        Assert.Throws<SealingException>(() => DeliveryOpener.OpenMailboxDelivery(otherRing, association.Single(), "community-supervision"));

        // Every decision audited, with references and codes only.
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{request.ReleaseId}"))
            .ToList();
        Assert.Equal(
            [
                ("75-association", "released", "partly-granted"),
                ("75-prison-administration", "released", "granted"),
                ("93-association", "denied", "not-assigned-to-case"),
                ("a-journalist", "denied", "third-party"),
            ],
            audit
                .Select(e =>
                    (e.GetProperty("recipient").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString())
                )
                .OrderBy(t => t.Item1)
        );
        Assert.DoesNotContain(audit, e => e.GetRawText().Contains("CANARY", StringComparison.Ordinal));
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_release_forged_on_court_reportings_lane_in_supervisions_name_is_denied_and_audited_under_court_reporting()
    {
        // The forgery found by hand: CourtReporting asks, writing requestedBy "supervision", for a
        // designated person's identity and address to go to the police.
        var person = await DesignateAsync(Canary);
        await _host.AssignPartnerAsync(person, "75-police");
        var request = Request(
            "community-supervision",
            [DataCategory.Identity, DataCategory.ContactDetails],
            ["75-police"],
            person,
            out var messageId,
            """{"identity":{},"contact-details":{}}"""
        );
        await _host.SendReleaseRequestAsync("court-reporting", request with { RequestedBy = "supervision" }, messageId);

        var decision = await DecisionAsync(request.ReleaseId);
        Assert.Equal(("denied", "purpose-not-allowed-for-requester", "court-reporting"), decision);
        Assert.Empty(await InboxOf("police-75", expected: 0));
    }

    [Fact]
    public async Task A_supervision_release_to_a_partner_not_assigned_to_the_case_is_denied()
    {
        var person = await DesignateAsync(Canary);
        await _host.AssignPartnerAsync(person, "75-association");
        var request = Request(
            "community-supervision",
            [DataCategory.ControlPlan],
            ["75-association", "75-police"],
            person,
            out var messageId,
            """{"control-plan":[]}"""
        );
        await _host.SendReleaseRequestAsync("supervision", request, messageId);

        Assert.Equal(("denied", "not-assigned-to-case", "supervision"), await DecisionAsync(request.ReleaseId, "75-police"));
        Assert.Equal(("released", "granted", "supervision"), await DecisionAsync(request.ReleaseId, "75-association"));
        Assert.Empty(await InboxOf("police-75", expected: 0));
    }

    [Fact]
    public async Task A_93_person_inside_a_75_court_report_is_denied()
    {
        var person = await DesignateAsync(Canary);
        var other = PersonRef.New(TerritoryCode.Parse("93"));
        var request = Request(
            "court-reporting",
            [DataCategory.CourtReport, DataCategory.Identity],
            ["75-jap"],
            null,
            out var messageId,
            """{"court-report":{}}"""
        ) with
        {
            Jurisdiction = "tj-paris",
            People = [person, other],
        };
        await _host.SendReleaseRequestAsync("court-reporting", request, messageId);

        Assert.Equal(("denied", "person-outside-territory", "court-reporting"), await DecisionAsync(request.ReleaseId));
        // The JAP that designated has its receipt; no report.
        Assert.DoesNotContain(await InboxOf("jap-75", expected: 0), d => d.GetProperty("type").GetString() == "court-reporting.report");
    }

    [Fact]
    public async Task An_opinions_release_naming_a_person_is_denied()
    {
        var person = await DesignateAsync(Canary);
        var request = Request(
            "art41-opinion",
            [DataCategory.Art41Opinion, DataCategory.Identity],
            ["75-prosecutor"],
            person,
            out var messageId,
            """{"art41-opinion":{}}"""
        );
        await _host.SendReleaseRequestAsync("opinions", request, messageId);

        Assert.Equal(("denied", "person-not-allowed-for-requester", "opinions"), await DecisionAsync(request.ReleaseId));
        Assert.Empty(await InboxOf("prosecutor-75", expected: 0));
    }

    [Fact]
    public async Task Identity_content_supplied_by_a_service_never_reaches_a_recipient_only_the_vaults()
    {
        var person = await DesignateAsync("7 rue des Lilas");
        await _host.AssignPartnerAsync(person, "75-prison-administration");
        // The service writes an identity of its own making; the vault holds the designated one.
        var request = Request(
            "community-supervision",
            [DataCategory.Identity, DataCategory.ControlPlan],
            ["75-prison-administration"],
            person,
            out var messageId,
            $$"""{"identity":{"lastName":"{{Canary}}"}"""
                + $$""","contact-details":{"address":"{{Canary}}"},"identities":{"x":"{{Canary}}"},"control-plan":[]}"""
        );
        await _host.SendReleaseRequestAsync("supervision", request, messageId);

        var delivered = Open(
            (await InboxOf("prison-75", expected: 1)).Single(),
            "75-prison-administration",
            _host.App.Services.GetRequiredService<SealingKeyStore>()
        );
        Assert.Equal(["control-plan", "identity"], delivered.Select(p => p.Key).Order());
        Assert.Equal("Martin", delivered["identity"]!["lastName"]!.GetValue<string>());
        Assert.DoesNotContain(Canary, delivered.ToJsonString());
    }

    [Fact]
    public async Task Identity_asked_for_a_person_the_vault_does_not_hold_is_denied()
    {
        var unknown = PersonRef.New(TerritoryCode.Parse("75"));
        await _host.AssignPartnerAsync(unknown, "75-prison-administration");
        var request = Request(
            "community-supervision",
            [DataCategory.Identity, DataCategory.ControlPlan],
            ["75-prison-administration"],
            unknown,
            out var messageId,
            $$"""{"identity":{"lastName":"{{Canary}}"},"control-plan":[]}"""
        );
        await _host.SendReleaseRequestAsync("supervision", request, messageId);

        Assert.Equal(("denied", "no-vault-entry", "supervision"), await DecisionAsync(request.ReleaseId));
        Assert.Empty(await InboxOf("prison-75", expected: 0));
    }

    /// <summary>A designation by the JAP over HTTP, so that the vault holds an identity (lastName Martin) to re-attach.</summary>
    private async Task<PersonRef> DesignateAsync(string address)
    {
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        designation["messageId"] = Guid.NewGuid().ToString();
        designation["payload"]!["contact"]!["address"] = address;
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.Equal(
                HttpStatusCode.Accepted,
                (await AgencyClient.PostAsync(jap, "supervision.designate-person", designation.ToJsonString())).StatusCode
            );
        using var scope = _host.App.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.SingleAsync()).Person;
    }

    private ReleaseConfidentialPayload Request(
        string purpose,
        IReadOnlyList<DataCategory> categories,
        IReadOnlyList<string> recipients,
        PersonRef? person,
        out Guid messageId,
        string contents
    )
    {
        messageId = NewId.NextGuid();
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        return new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = purpose,
            Categories = categories,
            Recipients = recipients,
            Person = person,
            Payload = PayloadSealer.Seal(Encoding.UTF8.GetBytes(contents), keys.CurrentKeyOf("gateway"), purpose, messageId),
        };
    }

    /// <summary>The audit log's decision on one release (for one recipient): outcome, reason and the requester it names.</summary>
    private async Task<(string?, string?, string?)> DecisionAsync(Guid releaseId, string? recipient = null)
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        JsonElement? entry = null;
        await Poller.UntilAsync(
            async () =>
            {
                entry = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
                    .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{releaseId}"))
                    .Where(e => recipient is null || e.GetProperty("recipient").GetString() == recipient)
                    .Cast<JsonElement?>()
                    .FirstOrDefault();
                return entry is not null;
            },
            $"the decision on release {releaseId}",
            TimeSpan.FromSeconds(30)
        );
        Assert.DoesNotContain(Canary, entry!.Value.GetRawText());
        return (
            entry.Value.GetProperty("outcome").GetString(),
            entry.Value.GetProperty("reason").GetString(),
            entry.Value.GetProperty("source").GetString()
        );
    }

    private async Task<List<JsonElement>> InboxOf(string principal, int expected)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        return await MailboxReader.ReadAtLeastAsync(agency, expected, $"{expected} deliveries for {principal}");
    }

    private static JsonObject Open(JsonElement delivery, string owner, SealingKeyStore keys) =>
        DeliveryOpener.OpenMailboxDelivery(keys, owner, delivery, "community-supervision");
}
