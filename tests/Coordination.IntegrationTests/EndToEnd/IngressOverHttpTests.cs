using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Briefings.Api;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>Agencies through the gateway's HTTP door, with the documented examples, in the all-in-one host.</summary>
public sealed class IngressOverHttpTests : IAsyncLifetime
{
    private const string Canary = "CANARY-Edmond-Dantes-1815";
    private ServiceHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServiceHost.StartAllInOneAsync(b => b.Logging.AddFakeLogging(), "--Logging:LogLevel:Default=Debug");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static JsonObject Example(string type) => AgencyClient.Example(type);

    private static JsonObject Fresh(string type, Action<JsonObject>? change = null)
    {
        var example = Example(type);
        example["messageId"] = Guid.NewGuid().ToString();
        change?.Invoke(example);
        return example;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(string principal, JsonObject envelope, string? type = null)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        return await AgencyClient.PostAsync(agency, envelope, type);
    }

    [Fact]
    public async Task The_prosecutors_briefing_is_forwarded_once_to_the_briefings_service_even_when_sent_twice()
    {
        var envelope = Fresh(IngressTypeNames.RecordBriefing, e => e["payload"]!["summary"] = $"Priorités {Guid.NewGuid():N}");
        var summary = envelope["payload"]!["summary"]!.GetValue<string>();

        var first = await Send("prosecutor-75", envelope);
        var second = await Send("prosecutor-75", envelope);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.Status, second.Status));
        Assert.Equal(first.Body.GetProperty("decisionId").GetGuid(), second.Body.GetProperty("decisionId").GetGuid());
        Assert.True(second.Body.GetProperty("duplicate").GetBoolean());
        await Poller.UntilAsync(
            async () => (await _host.GetJsonAsync<List<BriefingView>>("/briefings?territory=75")).Any(b => b.Summary == summary),
            "the briefing recorded"
        );
        Assert.Single(await _host.GetJsonAsync<List<BriefingView>>("/briefings?territory=75"), b => b.Summary == summary);
    }

    [Fact]
    public async Task A_designation_by_the_jap_leaves_the_identity_in_the_vault_and_sends_supervision_a_reference_and_sealed_grounds()
    {
        var envelope = Fresh(IngressTypeNames.DesignatePerson, e => e["payload"]!["identity"]!["lastName"] = "Dantès-CANARY");
        var (status, body) = await Send("jap-75", envelope);
        Assert.Equal(HttpStatusCode.Accepted, status);

        using var scope = _host.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var entry = await db.Vault.SingleAsync();
        Assert.Equal("75", entry.Person.Territory.Value);
        var outgoing = await db.OutboxMessages.SingleAsync(m => m.MessageType.Contains("DesignatePerson"));
        Assert.Contains(entry.Person.Value, outgoing.Body);
        Assert.DoesNotContain("Dant", outgoing.Body);
        Assert.DoesNotContain("personality", outgoing.Body);

        // Only supervision's key opens the grounds, only for that message.
        var designation = JsonSerializer.Deserialize<Coordination.Contracts.Supervision.DesignatePerson>(
            outgoing.Body,
            new JsonSerializerOptions(JsonSerializerDefaults.Web)
        )!;
        var keys = _host.App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        using var supervision = keys.RingFor("supervision");
        var grounds = Coordination.ServiceDefaults.Sealing.PayloadSealer.OpenJson<
            List<Coordination.Contracts.Supervision.DesignationGround>
        >(designation.Grounds, supervision, "community-supervision", outgoing.MessageId);
        Assert.Equal(
            [
                Coordination.Contracts.Supervision.DesignationGround.Personality,
                Coordination.Contracts.Supervision.DesignationGround.SocialSituation,
            ],
            grounds
        );
        Assert.Equal("tj-paris", designation.SentenceEnforcementJurisdiction);

        // The vault re-attaches the identity for a release the rules allow; at rest it is sealed.
        var details = await scope
            .ServiceProvider.GetRequiredService<Coordination.Gateway.Application.IdentityVault>()
            .OpenAsync(entry.Person, default);
        Assert.Equal("Dantès-CANARY", details!.Identity.LastName);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain("CANARY", await DatabaseFiles.ReadAllAsync(_host.Folder));

        // Supervision opens the case under the reference, with the grounds it alone could open; operators of 75 see it, without identity.
        using var paris = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        JsonElement[] cases = [];
        await Poller.UntilAsync(
            async () =>
                (await paris.GetAsync($"/supervision/cases/{entry.Person.Value}")) is { IsSuccessStatusCode: true } r
                && (cases = (await r.Content.ReadFromJsonAsync<JsonElement[]>())!).Length == 1,
            "the case opened"
        );
        Assert.Equal(
            ("open", "tj-paris"),
            (cases[0].GetProperty("status").GetString(), cases[0].GetProperty("sentenceEnforcementJurisdiction").GetString())
        );
        Assert.Equal(["personality", "social-situation"], cases[0].GetProperty("grounds").EnumerateArray().Select(g => g.GetString()));
        Assert.DoesNotContain("CANARY", cases[0].GetRawText());
        using var seineSaintDenis = _host.ClientFor(DemoPrincipals.Named("operational-cell-93"));
        Assert.Equal(HttpStatusCode.Forbidden, (await seineSaintDenis.GetAsync($"/supervision/cases/{entry.Person.Value}")).StatusCode);
        using (var supervisionScope = _host.App.Services.CreateScope())
        {
            var accessLog = await supervisionScope
                .ServiceProvider.GetRequiredService<Coordination.Supervision.Persistence.SupervisionDbContext>()
                .AccessLog.ToListAsync();
            Assert.Contains(
                accessLog,
                a => a.Principal == "operational-cell-75" && a.Outcome == "allowed" && a.RecordRef == $"person:{entry.Person.Value}"
            );
            Assert.Contains(accessLog, a => a.Principal == "operational-cell-93" && a.Outcome == "denied");
        }

        // The same person designated again while the case is open, spelled differently: the digest matches, so the door refuses it.
        var again = Fresh(IngressTypeNames.DesignatePerson, e => e["payload"]!["identity"]!["lastName"] = " dantes-canary ");
        var refused = await Send("prosecutor-75", again);
        AssertRefused(refused, HttpStatusCode.Conflict, ReasonCodes.DesignationConflict);
        Assert.Equal(
            entry.Person,
            (await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.AsNoTracking().SingleAsync()).Person
        );
        Assert.Single((await paris.GetFromJsonAsync<JsonElement[]>($"/supervision/cases/{entry.Person.Value}"))!);
    }

    [Fact]
    public async Task A_second_designation_of_a_person_with_an_open_case_changes_nothing_in_the_vault()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Send("jap-75", Fresh(IngressTypeNames.DesignatePerson))).Status);
        VaultSnapshot before;
        using (var scope = _host.App.Services.CreateScope())
            before = VaultSnapshot.Of(
                await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.AsNoTracking().SingleAsync()
            );

        // Moments after the first designation, Supervision has not answered yet: refused too, not overwritten.
        var pushed = Fresh(
            IngressTypeNames.DesignatePerson,
            e => e["payload"]!["contact"] = new JsonObject { ["address"] = "CANARY 1 rue utile", ["phone"] = "+33 1 00 00 00 00" }
        );
        var early = await Send("prosecutor-75", pushed);
        AssertRefused(early, HttpStatusCode.Conflict, ReasonCodes.DesignationConflict);

        // Once the case is open and the door knows it: refused, audited, answered to the sender.
        await Poller.UntilAsync(
            async () =>
            {
                using var s = _host.App.Services.CreateScope();
                return await s
                    .ServiceProvider.GetRequiredService<GatewayDbContext>()
                    .KnownCases.AnyAsync(c => c.Person == before.Person && c.EndedAt == null);
            },
            "the door knows the case is open"
        );
        var late = await Send(
            "jap-75",
            Fresh(IngressTypeNames.DesignatePerson, e => e["payload"]!["contact"] = pushed["payload"]!["contact"]!.DeepClone())
        );
        AssertRefused(late, HttpStatusCode.Conflict, ReasonCodes.DesignationConflict);

        using (var scope = _host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            var after = VaultSnapshot.Of(await db.Vault.AsNoTracking().SingleAsync());
            Assert.Equal(before.Person, after.Person);
            Assert.Equal(before.SealId, after.SealId);
            Assert.Equal(before.SealedDetails, after.SealedDetails);
            Assert.Equal((before.DesignatedBy, before.DesignatedAt), (after.DesignatedBy, after.DesignatedAt));
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.MessageType.Contains("DesignatePerson")));
            var details = await scope
                .ServiceProvider.GetRequiredService<Coordination.Gateway.Application.IdentityVault>()
                .OpenAsync(after.Person, default);
            Assert.NotEqual("CANARY 1 rue utile", details!.Contact?.Address);
        }
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!;
        foreach (var (refusal, sender) in new[] { (early, "75-prosecutor"), (late, "75-jap") })
            Assert.Contains(
                audit,
                e =>
                    e.GetProperty("decisionId").GetGuid() == refusal.Body.GetProperty("decisionId").GetGuid()
                    && e.GetProperty("reason").GetString() == ReasonCodes.DesignationConflict
                    && e.GetProperty("source").GetString() == sender
            );
        using var jap = _host.ClientFor(DemoPrincipals.Named("jap-75"));
        Assert.Contains(
            await MailboxReader.ReadAsync(jap),
            m =>
                m.GetProperty("type").GetString() == "gateway.rejected"
                && m.GetProperty("body").GetProperty("reasonCode").GetString() == ReasonCodes.DesignationConflict
        );
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain("CANARY", await DatabaseFiles.ReadAllAsync(_host.Folder));
    }

    private sealed record VaultSnapshot(
        Coordination.Contracts.Values.PersonRef Person,
        Guid SealId,
        string SealedDetails,
        string DesignatedBy,
        DateTimeOffset DesignatedAt
    )
    {
        public static VaultSnapshot Of(Coordination.Gateway.Domain.VaultEntry e) =>
            new(e.Person, e.SealId, e.SealedDetails, e.DesignatedBy, e.DesignatedAt);
    }

    [Fact]
    public async Task An_http_token_for_an_agency_the_directory_does_not_know_is_refused()
    {
        var stranger = new DevelopmentPrincipal("stranger", PrincipalKind.AgencySystem, PrincipalRole.Prosecutor, ["75"], "75-nobody");
        var (status, body) = await SendAs(
            stranger,
            Fresh(IngressTypeNames.RecordBriefing, e => e["payload"]!["summary"] = "CANARY stranger")
        );

        AssertRefused((status, body), HttpStatusCode.Forbidden, ReasonCodes.UnidentifiedSource);
        await AssertAuditedAsync(body, ReasonCodes.UnidentifiedSource, "75-nobody");
        await AssertNothingForwardedAsync("CANARY stranger");
    }

    [Theory]
    [InlineData("75-spip", PrincipalRole.Prosecutor, "75")] // the SPIP's account, a token saying prosecutor
    [InlineData("75-prosecutor", PrincipalRole.Prosecutor, "75,93")] // the right role, a territory more than registered
    [InlineData("75-prosecutor", PrincipalRole.Prosecutor, "93")] // another territory
    public async Task A_token_claiming_another_role_than_the_directory_is_refused(string agency, PrincipalRole role, string territories)
    {
        var claimed = new DevelopmentPrincipal("claims-more", PrincipalKind.AgencySystem, role, territories.Split(','), agency);
        var marker = $"CANARY {Guid.NewGuid():N}";
        var (status, body) = await SendAs(claimed, Fresh(IngressTypeNames.RecordBriefing, e => e["payload"]!["summary"] = marker));

        AssertRefused((status, body), HttpStatusCode.Forbidden, ReasonCodes.AgencyMismatch);
        await AssertAuditedAsync(body, ReasonCodes.AgencyMismatch, agency);
        await AssertNothingForwardedAsync(marker);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("75-police/../x")]
    [InlineData("75-police.inbox.x")]
    [InlineData("")]
    [InlineData("LONG")]
    public async Task Agency_ids_that_could_escape_a_path_or_queue_name_are_refused(string agency)
    {
        if (agency == "LONG")
            agency = "75-" + new string('a', 197);
        var keys = _host.App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        var keyFolders = Directory.CreateDirectory(keys.Directory).GetDirectories().Select(d => d.FullName).ToList();
        var claimed = new DevelopmentPrincipal("escaper", PrincipalKind.AgencySystem, PrincipalRole.Prosecutor, ["75"], agency);
        var marker = $"CANARY {Guid.NewGuid():N}";

        var (status, body) = await SendAs(claimed, Fresh(IngressTypeNames.RecordBriefing, e => e["payload"]!["summary"] = marker));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        if (agency != "") // a token without an agency is turned away by the authorisation policy before the door
            await AssertAuditedAsync(body, ReasonCodes.UnidentifiedSource, "unidentified");
        await AssertNothingForwardedAsync(marker);
        Assert.Equal(keyFolders.Order(), Directory.GetDirectories(keys.Directory).Order());
        using var scope = _host.App.Services.CreateScope();
        Assert.False(
            await scope
                .ServiceProvider.GetRequiredService<GatewayDbContext>()
                .Set<Coordination.Gateway.Domain.AgencyDelivery>()
                .AnyAsync(d => d.Agency == agency)
        );
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAs(DevelopmentPrincipal principal, JsonObject envelope)
    {
        using var agency = _host.ClientFor(principal);
        return await AgencyClient.PostAsync(agency, envelope);
    }

    private async Task AssertAuditedAsync(JsonElement problem, string reasonCode, string source)
    {
        var decisionId = problem.GetProperty("decisionId").GetGuid();
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var entry = Assert.Single(
            (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!,
            e => e.GetProperty("decisionId").GetGuid() == decisionId
        );
        Assert.Equal(
            ("ingress-rejected", reasonCode, source),
            (entry.GetProperty("kind").GetString(), entry.GetProperty("reason").GetString(), entry.GetProperty("source").GetString())
        );
    }

    private async Task AssertNothingForwardedAsync(string marker)
    {
        using var scope = _host.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.Equal(0, await db.OutboxMessages.CountAsync(m => m.Body.Contains(marker)));
        Assert.False(await db.Set<Coordination.Gateway.Domain.AgencyDelivery>().AnyAsync(d => d.Body.Contains(marker)));
        Assert.False(await db.IngressRecords.AnyAsync());
    }

    [Fact]
    public async Task The_2017_conduct_report_is_refused_until_the_rules_opt_in_and_then_only_for_a_designated_person()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Send("jap-75", Fresh(IngressTypeNames.DesignatePerson))).Status);
        Coordination.Contracts.Values.PersonRef person;
        using (var scope = _host.App.Services.CreateScope())
            person = (await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.SingleAsync()).Person;
        await Poller.UntilAsync(
            async () => (await _host.Http.GetAsync($"/supervision/cases/{person.Value}")).IsSuccessStatusCode,
            "the case opened"
        );
        JsonObject Report(string personRef) => Fresh(IngressTypeNames.ReportDetentionConduct, e => e["payload"]!["personRef"] = personRef);

        var beforeOptIn = await Send("jap-75", Report(person.Value));
        AssertRefused(beforeOptIn, HttpStatusCode.Forbidden, ReasonCodes.ForbiddenInboundFlow);

        using (var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75")))
        {
            var optIn = await secretariat.PostAsync(
                "/sharing-rules/75",
                new StringContent(
                    """
                    {"proposedBy":["groupe de travail sortants dangereux"],"rules":[
                      {"category":"detention-conduct","roles":["sentence-enforcement-court"],"purpose":"community-supervision",
                       "legalBasis":"loi 2017-258 du 28 février 2017"},
                      {"category":"control-plan","roles":["association"],"purpose":"community-supervision"}]}
                    """,
                    Encoding.UTF8,
                    "application/json"
                )
            );
            Assert.Equal(HttpStatusCode.Created, optIn.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await Send("jap-75", Report(person.Value))).Status);
        var stranger = Coordination.Contracts.Values.PersonRef.New(Coordination.Contracts.Values.TerritoryCode.Parse("75"));
        Assert.Equal(
            ReasonCodes.PersonNotDesignated,
            (await Send("jap-75", Report(stranger.Value))).Body.GetProperty("reasonCode").GetString()
        );
        Assert.Equal(
            ReasonCodes.ForbiddenInboundFlow,
            (await Send("spip-75", Report(person.Value))).Body.GetProperty("reasonCode").GetString()
        ); // the opt-in names the JAP only
        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person.Value}"))[0].GetProperty("conductReports").GetInt32()
                == 1,
            "the report on the case"
        );
    }

    [Theory]
    [InlineData("spip-75", ReasonCodes.ForbiddenInboundFlow)]
    [InlineData("association-75", ReasonCodes.RoleNotAllowed)]
    [InlineData("police-75", ReasonCodes.RoleNotAllowed)]
    public async Task Only_the_judicial_authority_designates(string sender, string reasonCode)
    {
        var (status, body) = await Send(sender, Fresh(IngressTypeNames.DesignatePerson));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(reasonCode, body.GetProperty("reasonCode").GetString());
        using var scope = _host.App.Services.CreateScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.AnyAsync());
    }

    [Fact]
    public async Task Useful_information_from_the_spip_is_refused_audited_and_kept_nowhere()
    {
        var envelope = Fresh(IngressTypeNames.ShareInformation, e => e["payload"]!["information"] = $"{Canary} sort le 3 mars.");

        var (status, body) = await Send("spip-75", envelope);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(ReasonCodes.ForbiddenInboundFlow, body.GetProperty("reasonCode").GetString());
        var decisionId = body.GetProperty("decisionId").GetGuid();
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000");
        var entry = Assert.Single(audit!, e => e.GetProperty("decisionId").GetGuid() == decisionId);
        Assert.Equal(
            ("ingress-rejected", ReasonCodes.ForbiddenInboundFlow, "75-spip"),
            (entry.GetProperty("kind").GetString(), entry.GetProperty("reason").GetString(), entry.GetProperty("source").GetString())
        );

        // Kept where the sender alone can see it: its mailbox, sealed for its own key.
        using (var spip = _host.ClientFor(DemoPrincipals.Named("spip-75")))
        {
            var mailbox = await MailboxReader.ReadAsync(spip);
            var notice = Assert.Single(mailbox, m => m.GetProperty("type").GetString() == "gateway.rejected").GetProperty("body");
            Assert.Equal(decisionId, notice.GetProperty("decisionId").GetGuid());
            Assert.Contains(
                Canary,
                Encoding.UTF8.GetString(
                    DeliveryOpener.OpenBytes(_host.Keys, "75-spip", notice.GetProperty("original"), decisionId, "rejected-message")
                )
            );
            Assert.DoesNotContain("Dantes", notice.GetRawText());
        }
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.DoesNotContain(await MailboxReader.ReadAsync(jap), m => m.GetProperty("type").GetString() == "gateway.rejected");

        // Nowhere: not in the answer, the audit, any database file, or any log line.
        Assert.DoesNotContain("Dantes", body.GetRawText());
        Assert.DoesNotContain("Dantes", string.Join("", audit!.Select(a => a.GetRawText())));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain("Dantes", await DatabaseFiles.ReadAllAsync(_host.Folder));
        var logs = _host.App.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, l => (l.Message + l.Exception).Contains("Dantes", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string, HttpStatusCode> Refusals() =>
        new()
        {
            // sender, what is wrong, expected reason code, expected status
            { "jap-75", "a JAP sending a briefing", ReasonCodes.ForbiddenInboundFlow, HttpStatusCode.Forbidden },
            { "association-75", "an association sending a briefing", ReasonCodes.RoleNotAllowed, HttpStatusCode.Forbidden },
            { "prosecutor-93", "a territory the agency is not registered for", ReasonCodes.TerritoryNotAllowed, HttpStatusCode.Forbidden },
            { "prosecutor-75", "a theme outside the closed list", ReasonCodes.InvalidPayload, HttpStatusCode.BadRequest },
            { "prosecutor-75", "no summary", ReasonCodes.InvalidPayload, HttpStatusCode.BadRequest },
            { "prosecutor-75", "no message id", ReasonCodes.InvalidEnvelope, HttpStatusCode.BadRequest },
            { "prosecutor-75", "an unknown type", ReasonCodes.UnknownType, HttpStatusCode.BadRequest },
            { "prosecutor-75", "a schema version not published", ReasonCodes.UnknownType, HttpStatusCode.BadRequest },
            { "prosecutor-75", "an address that names another type", ReasonCodes.TypeMismatch, HttpStatusCode.BadRequest },
            { "prosecutor-75", "a territory that is no département", ReasonCodes.UnknownTerritory, HttpStatusCode.BadRequest },
        };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Each_refusal_names_its_reason_and_forwards_nothing(
        string sender,
        string wrong,
        string reasonCode,
        HttpStatusCode expected
    )
    {
        var marker = $"Refusé {Guid.NewGuid():N}";
        var envelope = Fresh(IngressTypeNames.RecordBriefing, e => e["payload"]!["summary"] = marker);
        string? address = null;
        switch (wrong)
        {
            case "a theme outside the closed list":
                envelope["payload"]!["priorityThemes"] = new JsonArray("gardening");
                break;
            case "no summary":
                envelope["payload"]!.AsObject().Remove("summary");
                break;
            case "no message id":
                envelope.Remove("messageId");
                break;
            case "an unknown type":
                envelope["type"] = "briefings.rewrite-history";
                break;
            case "a schema version not published":
                envelope["schemaVersion"] = 9;
                break;
            case "an address that names another type":
                address = IngressTypeNames.ShareInformation;
                break;
            case "a territory that is no département":
                envelope["territory"] = "20";
                break;
            case "a territory the agency is not registered for":
                envelope["territory"] = "75";
                break;
        }

        var (status, body) = await Send(sender, envelope, address);

        Assert.Equal(expected, status);
        Assert.Equal(reasonCode, body.GetProperty("reasonCode").GetString());
        Assert.NotEqual(Guid.Empty, body.GetProperty("decisionId").GetGuid());
        Assert.DoesNotContain(await _host.GetJsonAsync<List<BriefingView>>("/briefings"), b => b.Summary == marker);
        using var scope = _host.App.Services.CreateScope();
        Assert.Equal(
            0,
            await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().OutboxMessages.CountAsync(m => m.Body.Contains(marker))
        );
    }

    [Fact]
    public async Task Values_the_schema_lets_through_but_the_platform_cannot_read_are_refused_not_crashed()
    {
        // A schema version past Int32, and a date-time with a space for its 'T' (the schema's format accepts it).
        var version = Example("briefings.record-briefing");
        version["messageId"] = Guid.NewGuid().ToString();
        version["schemaVersion"] = 2147483648L;
        var (status, problem) = await Send("prosecutor-75", version);
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.InvalidEnvelope);
        await AssertAuditedAsync(problem, ReasonCodes.InvalidEnvelope, "75-prosecutor");

        var incident = Example("supervision.report-incident");
        incident["messageId"] = Guid.NewGuid().ToString();
        incident["payload"]!["occurredAt"] = "2026-11-10 10:00:00Z";
        (status, problem) = await Send("association-75", incident);
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.InvalidPayload);
        await AssertAuditedAsync(problem, ReasonCodes.InvalidPayload, "75-association");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendRaw(string principal, string type, string body)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        var response = await AgencyClient.PostAsync(agency, type, body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[\"6f2c1d0e-8b1a-4c55-9a57-3f1f5d2b7a10\"]")]
    [InlineData("{\"id\":\"6f2c1d0e-8b1a-4c55-9a57-3f1f5d2b7a10\"}")]
    public async Task A_message_id_that_is_no_string_is_an_unreadable_id_refused_as_an_invalid_envelope(string messageId)
    {
        // Found by the fuzzer: reading the id threw before the envelope's schema was checked.
        var envelope = Example(IngressTypeNames.RecordBriefing);
        envelope["messageId"] = JsonNode.Parse(messageId);
        var (status, problem) = await SendRaw("prosecutor-75", IngressTypeNames.RecordBriefing, envelope.ToJsonString());
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.InvalidEnvelope);
        Assert.Equal(JsonValueKind.Null, problem.GetProperty("messageId").ValueKind);
        await AssertAuditedAsync(problem, ReasonCodes.InvalidEnvelope, "75-prosecutor");
    }

    [Theory]
    [InlineData("type", "42")]
    [InlineData("schemaVersion", "\"1\"")]
    [InlineData("territory", "[\"75\"]")]
    [InlineData("messageId", "\"6f2c1d0e-8b1a-4c55-9a57-3f1f5d2b7a10\"")]
    public async Task An_envelope_naming_a_property_twice_is_refused_as_malformed(string property, string second)
    {
        // Found by the fuzzer: the schema checked one of the two, the door read the other, and threw.
        var envelope = Example(IngressTypeNames.RecordBriefing);
        envelope["messageId"] = Guid.NewGuid().ToString();
        envelope["__twin__"] = 0;
        var body = envelope.ToJsonString().Replace("\"__twin__\":0", $"\"{property}\":{second}", StringComparison.Ordinal);
        var (status, problem) = await SendRaw("prosecutor-75", IngressTypeNames.RecordBriefing, body);
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.MalformedMessage);
        await AssertAuditedAsync(problem, ReasonCodes.MalformedMessage, "75-prosecutor");

        // In the payload too: the schema read one, the typed payload record the other.
        var nested = Example(IngressTypeNames.RecordBriefing);
        nested["messageId"] = Guid.NewGuid().ToString();
        var twice = nested.ToJsonString().Replace("\"summary\":", "\"summary\":[],\"summary\":", StringComparison.Ordinal);
        (status, problem) = await SendRaw("prosecutor-75", IngressTypeNames.RecordBriefing, twice);
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.MalformedMessage);
    }

    [Theory]
    [InlineData("messageId", "\"\\ud800\"")]
    [InlineData("type", "\"briefings.record-briefing\\udc00\"")]
    [InlineData("summary", "\"Priorités \\ud83d\"")]
    [InlineData("summary", "invalid-utf8")]
    [InlineData("prosecutorOffice", "invalid-utf8")]
    public async Task Text_that_is_no_unicode_is_refused_as_malformed_wherever_it_is(string property, string value)
    {
        // Found by the fuzzer: a lone surrogate escape or invalid UTF-8 parses, and throws where it is read.
        var envelope = Example(IngressTypeNames.RecordBriefing);
        envelope["messageId"] = Guid.NewGuid().ToString();
        var json = envelope.ToJsonString();
        var at = json.IndexOf($"\"{property}\":", StringComparison.Ordinal) + property.Length + 3;
        var end = json.IndexOf('"', at + 1) + 1;
        byte[] body =
            value == "invalid-utf8"
                ? [.. Encoding.UTF8.GetBytes(json[..(at + 1)]), 0xFF, 0xC0, 0x80, .. Encoding.UTF8.GetBytes(json[(at + 1)..])]
                : Encoding.UTF8.GetBytes(json[..at] + value + json[end..]);

        using var agency = _host.ClientFor(DemoPrincipals.Named("prosecutor-75"));
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        var response = await agency.PostAsync($"/ingress/{IngressTypeNames.RecordBriefing}", content);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            (HttpStatusCode.BadRequest, ReasonCodes.MalformedMessage),
            (response.StatusCode, problem.GetProperty("reasonCode").GetString())
        );
        await AssertAuditedAsync(problem, ReasonCodes.MalformedMessage, "75-prosecutor");
    }

    [Theory]
    [InlineData("supervision.designate-person", "jap-75", "\"grounds\":[", "1e309,")]
    [InlineData("supervision.designate-person", "jap-75", "\"grounds\":[", "-1e400,")]
    [InlineData("briefings.record-briefing", "prosecutor-75", "\"priorityThemes\":[", "123456789012345678901234567890,")]
    public async Task A_number_past_decimal_in_an_array_of_unique_items_is_refused_as_invalid_payload_not_thrown(
        string type,
        string sender,
        string before,
        string number
    )
    {
        // Found by the fuzzer: the schema library's uniqueItems reads each item as decimal, and threw.
        var envelope = Example(type);
        envelope["messageId"] = Guid.NewGuid().ToString();
        var json = envelope.ToJsonString();
        Assert.Contains(before, json);
        var (status, problem) = await SendRaw(sender, type, json.Replace(before, before + number, StringComparison.Ordinal));
        AssertRefused((status, problem), HttpStatusCode.BadRequest, ReasonCodes.InvalidPayload);
        await AssertAuditedAsync(problem, ReasonCodes.InvalidPayload, sender == "jap-75" ? "75-jap" : "75-prosecutor");
    }

    [Fact]
    public async Task Malformed_or_oversized_bodies_are_refused_and_operators_may_not_use_the_door()
    {
        using var prosecutor = _host.ClientFor(DemoPrincipals.Named("prosecutor-75"));
        var malformed = await AgencyClient.PostAsync(prosecutor, "briefings.record-briefing", "{\"messageId\":");
        Assert.Equal(
            ReasonCodes.MalformedMessage,
            (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reasonCode").GetString()
        );
        var huge = await AgencyClient.PostAsync(prosecutor, "briefings.record-briefing", new string(' ', 70_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var operatorCall = await AgencyClient.PostAsync(
            _host.Http,
            "briefings.record-briefing",
            Fresh(IngressTypeNames.RecordBriefing).ToJsonString()
        );
        Assert.Equal(HttpStatusCode.Forbidden, operatorCall.StatusCode);
    }

    [Fact]
    public async Task Every_documented_example_is_valid_against_its_published_schema()
    {
        var schemas = new Coordination.Gateway.Application.Ingress.IngressSchemas();
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "agency-examples"), "*.json");
        Assert.NotEmpty(examples);
        foreach (var file in examples)
        {
            var example = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
            Assert.Empty(schemas.EnvelopeErrors(example));
            var type = example.GetProperty("type").GetString()!;
            Assert.Equal(Path.GetFileNameWithoutExtension(file), type);
            Assert.Empty(schemas.PayloadErrors(type, example.GetProperty("schemaVersion").GetInt32(), example.GetProperty("payload")));
        }
    }
}
