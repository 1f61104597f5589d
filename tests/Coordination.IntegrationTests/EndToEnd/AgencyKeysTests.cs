using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// Agencies hold their own private keys (rule 9). The all-in-one host runs here with key creation
/// off, as a deployment does: a demo agency without a key folder is an agency that has registered
/// no key. It registers one with a signed challenge; what was held for it arrives sealed for it.
/// </summary>
public sealed class AgencyKeysTests : IAsyncLifetime
{
    private const string Canary = "CANARY-Jean-Valjean";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync(null, "--Sealing:CreateMissingKeys=false");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_new_agency_without_a_registered_key_gets_nothing_until_it_registers_then_everything_held()
    {
        var person = await DesignateAsync();
        await _host.AssignPartnerAsync(person, "75-association");
        var release = await ReleaseAsync(
            person,
            "75-association",
            $$$"""{"control-plan":{"nextControl":"2026-04-08","note":"{{{Canary}}}"}}"""
        );
        Assert.Equal(("denied", ReleaseReasonCodes.NoRecipientKey), await DecisionAsync(release, "denied"));

        // A refused message of the same agency: its answer is held too.
        using var association = _host.ClientFor(DemoPrincipals.Named("association-75"));
        var refused = IngressOverHttpTests.Example("supervision.share-information");
        refused["messageId"] = Guid.NewGuid().ToString();
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await AgencyClient.PostAsync(association, "supervision.share-information", refused.ToJsonString())).StatusCode
        );

        // Nothing in its mailbox; in the table, both held and sealed for the gateway alone.
        Assert.Empty(await MailboxReader.ReadAsync(association));
        var held = await Query(db => db.Set<AgencyDelivery>().Where(d => d.Agency == "75-association").ToListAsync());
        Assert.Equal(2, held.Count);
        Assert.All(held, d => Assert.StartsWith(HeldDeliveries.Prefix, d.Type));
        Assert.All(held, d => Assert.Contains("\"recipient\":\"gateway\"", d.Body));
        Assert.DoesNotContain(held, d => d.Body.Contains(Canary, StringComparison.Ordinal));
        // The requester is told: no key, not released.
        Assert.True(
            await Query(db =>
                db.OutboxMessages.AnyAsync(m =>
                    m.MessageType.Contains("ConfidentialPayloadDenied") && m.Body.Contains(ReleaseReasonCodes.NoRecipientKey)
                )
            )
        );
        Assert.Null(_host.App.Services.GetRequiredService<SealingKeyStore>().TryCurrentKeyOf("75-association"));

        using var agencyKey = AgencyKey.Create();
        var registered = await RegisterAsync(association, "75-association", agencyKey);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var answer = (await registered.Content.ReadFromJsonAsync<JsonElement>())!;
        Assert.Equal(agencyKey.KeyId, answer.GetProperty("keyId").GetString());
        Assert.Equal(2, answer.GetProperty("released").GetInt32());

        var inbox = await MailboxReader.ReadAsync(association);
        using var ring = agencyKey.Ring("75-association");
        var caseInformation = inbox.Single(d => d.GetProperty("type").GetString() == "supervision.case-information");
        var opened = DeliveryOpener.OpenMailboxDelivery(ring, caseInformation, "community-supervision");
        Assert.Contains(Canary, opened["control-plan"]!.ToJsonString());
        var notice = inbox.Single(d => d.GetProperty("type").GetString() == "gateway.rejected");
        var original = DeliveryOpener.OpenBytes(
            ring,
            notice.GetProperty("body").GetProperty("original"),
            notice.GetProperty("body").GetProperty("decisionId").GetGuid(),
            "rejected-message"
        );
        Assert.Contains((string)refused["messageId"]!, Encoding.UTF8.GetString(original));
        Assert.DoesNotContain(inbox, d => d.GetRawText().Contains(HeldDeliveries.HeldForField, StringComparison.Ordinal));

        Assert.Equal(("released", ReleaseReasonCodes.ReleasedAfterKeyRegistration), await DecisionAsync(release, "released"));
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!;
        Assert.Contains(
            audit,
            e => e.GetProperty("reason").GetString() == "key-registered" && e.GetProperty("recipient").GetString() == "75-association"
        );
        Assert.DoesNotContain(audit, e => e.GetRawText().Contains(Canary, StringComparison.Ordinal));
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_key_registration_without_proof_of_possession_is_refused()
    {
        using var police = _host.ClientFor(DemoPrincipals.Named("police-75"));
        using var agencyKey = AgencyKey.Create();
        using var impostor = AgencyKey.Create();
        var challenge = await ChallengeAsync(police, "75-police");

        // Signed by another key than the one registered: no proof the agency holds it.
        await AssertRefusedAsync(
            police,
            "75-police",
            new
            {
                publicKey = agencyKey.PublicPem,
                challenge,
                signature = impostor.Sign(challenge),
            },
            HttpStatusCode.BadRequest,
            "invalid-proof"
        );
        await AssertRefusedAsync(
            police,
            "75-police",
            new { publicKey = agencyKey.PublicPem, challenge },
            HttpStatusCode.BadRequest,
            "malformed-request"
        );
        await AssertRefusedAsync(
            police,
            "75-police",
            new
            {
                publicKey = agencyKey.PublicPem,
                challenge = challenge[..^2] + "AA",
                signature = agencyKey.Sign(challenge),
            },
            HttpStatusCode.BadRequest,
            "invalid-challenge"
        );
        // A private key is not what an agency sends, and the gateway does not keep one.
        await AssertRefusedAsync(
            police,
            "75-police",
            new
            {
                publicKey = agencyKey.PrivatePem,
                challenge,
                signature = agencyKey.Sign(challenge),
            },
            HttpStatusCode.BadRequest,
            "malformed-key"
        );

        // Another agency's challenge, another agency's path, another territory's secretariat.
        using var secretariat75 = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        await AssertRefusedAsync(
            secretariat75,
            "75-association",
            new
            {
                publicKey = agencyKey.PublicPem,
                challenge,
                signature = agencyKey.Sign(challenge),
            },
            HttpStatusCode.BadRequest,
            "challenge-for-another-agency"
        );
        Assert.Equal(HttpStatusCode.Forbidden, (await police.PostAsync("/agencies/75-association/keys/challenge", null)).StatusCode);
        using var secretariat93 = _host.ClientFor(DemoPrincipals.Named("secretariat-93"));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretariat93.PostAsync("/agencies/75-police/keys/challenge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await police.PostAsync("/agencies/75-Police.inbox/keys/challenge", null)).StatusCode);
        using var operatorOfCell = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorOfCell.PostAsync("/agencies/75-police/keys/challenge", null)).StatusCode);

        Assert.Null(_host.App.Services.GetRequiredService<SealingKeyStore>().TryCurrentKeyOf("75-police"));
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var refusals = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("outcome").GetString() == "refused")
            .Select(e => e.GetProperty("reason").GetString())
            .ToList();
        Assert.Superset(
            new HashSet<string?>
            {
                "invalid-proof",
                "malformed-request",
                "invalid-challenge",
                "malformed-key",
                "challenge-for-another-agency",
                "not-your-agency",
                "territory-not-allowed",
                "invalid-agency-id",
            },
            refusals.ToHashSet()
        );
    }

    [Fact]
    public async Task An_agency_rotates_its_key_and_its_older_private_key_still_opens_what_was_sealed_for_the_older_one()
    {
        var person = await DesignateAsync();
        await _host.AssignPartnerAsync(person, "75-prison-administration");
        using var prison = _host.ClientFor(DemoPrincipals.Named("prison-75"));
        using var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        using var keyA = AgencyKey.Create();
        using var keyB = AgencyKey.Create();

        // Key A registered by the territory's secretariat on the agency's behalf, key B by the agency itself.
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(secretariat, "75-prison-administration", keyA)).StatusCode);
        var first = await ReleaseAsync(person, "75-prison-administration", """{"control-plan":{"n":1}}""");
        Assert.Equal(("released", ReleaseReasonCodes.Granted), await DecisionAsync(first, "released"));
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(prison, "75-prison-administration", keyB)).StatusCode);
        var second = await ReleaseAsync(person, "75-prison-administration", """{"control-plan":{"n":2}}""");
        Assert.Equal(("released", ReleaseReasonCodes.Granted), await DecisionAsync(second, "released"));

        var inbox = await MailboxReader.ReadAsync(prison);
        Assert.Equal(2, inbox.Length);
        Assert.Equal([keyA.KeyId, keyB.KeyId], inbox.Select(d => PayloadOf(d, "payload").KeyId));
        using var both = new SealingKeyRing("75-prison-administration", [(keyA.KeyId, keyA.Exchange()), (keyB.KeyId, keyB.Exchange())]);
        Assert.Equal(
            [1, 2],
            inbox.Select(d => DeliveryOpener.OpenMailboxDelivery(both, d, "community-supervision")["control-plan"]!["n"]!.GetValue<int>())
        );
        using var onlyB = keyB.Ring("75-prison-administration");
        Assert.Throws<SealingException>(() => DeliveryOpener.OpenMailboxDelivery(onlyB, inbox[0], "community-supervision"));
    }

    /// <summary>What an agency does on its side: one P-256 key pair, for ECDH (opening) and ECDSA (the proof).</summary>
    private sealed class AgencyKey : IDisposable
    {
        private readonly ECDsa _key;

        private AgencyKey(ECDsa key) => _key = key;

        public static AgencyKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

        public string PublicPem => _key.ExportSubjectPublicKeyInfoPem();
        public string PrivatePem => _key.ExportECPrivateKeyPem();
        public string KeyId => SealingKeyRing.KeyIdOf(_key.ExportSubjectPublicKeyInfo());

        // DER, as 'openssl dgst -sha256 -sign' writes it.
        public string Sign(string challenge) =>
            Convert.ToBase64String(
                _key.SignData(Encoding.UTF8.GetBytes(challenge), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            );

        public ECDiffieHellman Exchange() => ECDiffieHellman.Create(_key.ExportParameters(true));

        public SealingKeyRing Ring(string agency) => new(agency, [(KeyId, Exchange())]);

        public void Dispose() => _key.Dispose();
    }

    private static async Task<string> ChallengeAsync(HttpClient client, string agency)
    {
        var response = await client.PostAsync($"/agencies/{agency}/keys/challenge", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("challenge").GetString()!;
    }

    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string agency, AgencyKey key)
    {
        var challenge = await ChallengeAsync(client, agency);
        return await client.PostAsJsonAsync(
            $"/agencies/{agency}/keys",
            new
            {
                publicKey = key.PublicPem,
                challenge,
                signature = key.Sign(challenge),
            }
        );
    }

    private static async Task AssertRefusedAsync(HttpClient client, string agency, object body, HttpStatusCode status, string reasonCode)
    {
        await AssertProblemAsync(await client.PostAsJsonAsync($"/agencies/{agency}/keys", body), status, reasonCode);
    }

    private static SealedPayload PayloadOf(JsonElement delivery, string field) =>
        DeliveryOpener.SealedOf(delivery.GetProperty("body").GetProperty(field));

    private async Task<Guid> ReleaseAsync(PersonRef person, string recipient, string contents)
    {
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.ControlPlan],
            Recipients = [recipient],
            Person = person,
            Payload = PayloadSealer.Seal(
                Encoding.UTF8.GetBytes(contents),
                keys.CurrentKeyOf(KeyOwners.Gateway),
                "community-supervision",
                messageId
            ),
        };
        await _host.SendReleaseRequestAsync("supervision", request, messageId);
        return request.ReleaseId;
    }

    private async Task<(string?, string?)> DecisionAsync(Guid releaseId, string outcome)
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        JsonElement? entry = null;
        await Poller.UntilAsync(
            async () =>
            {
                entry = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
                    .Where(e =>
                        e.GetProperty("references").GetString()!.Contains($"release:{releaseId}")
                        && e.GetProperty("outcome").GetString() == outcome
                    )
                    .Cast<JsonElement?>()
                    .FirstOrDefault();
                return entry is not null;
            },
            $"the {outcome} decision on release {releaseId}",
            TimeSpan.FromSeconds(30)
        );
        return (entry!.Value.GetProperty("outcome").GetString(), entry.Value.GetProperty("reason").GetString());
    }

    private async Task<T> Query<T>(Func<GatewayDbContext, Task<T>> query)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<GatewayDbContext>());
    }

    private async Task<PersonRef> DesignateAsync()
    {
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        designation["messageId"] = Guid.NewGuid().ToString();
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.Equal(
                HttpStatusCode.Accepted,
                (await AgencyClient.PostAsync(jap, "supervision.designate-person", designation.ToJsonString())).StatusCode
            );
        return await Query(async db => (await db.Vault.SingleAsync()).Person);
    }
}
