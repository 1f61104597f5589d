using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using Coordination.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The duties as the agencies and operators live them (issue 15): the designating authority's receipts,
/// a partner taken off a case, support actions, restricted cases. All-in-one host, agencies on the HTTP
/// door and their own mailboxes, operators on the API.
/// </summary>
public sealed class CaseDutiesTests : IAsyncLifetime
{
    private const string Canary = "CANARY-Fantine-1862";
    private ServiceHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServiceHost.StartAllInOneAsync(b => b.Logging.AddFakeLogging(), "--Logging:LogLevel:Default=Debug");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Today => TerritoryCalendar.Today(TerritoryCode75, DateTimeOffset.UtcNow).ToString("yyyy-MM-dd");
    private static readonly Coordination.Contracts.Values.TerritoryCode TerritoryCode75 = Coordination.Contracts.Values.TerritoryCode.Parse(
        "75"
    );

    [Fact]
    public async Task The_jap_finds_its_receipt_with_its_own_reference_withdraws_by_that_reference_and_is_told_the_case_ended()
    {
        var reference = $"JAP-PARIS-{Guid.NewGuid():N}"[..30];
        var person = await DesignateAsync("jap-75", $"Thénardier-{Canary}", reference);

        // The receipt, sealed for the JAP: its reference echoed, the PersonRef it will need, no identity.
        var accepted = await OpenDeliveryAsync("jap-75", "75-jap", "supervision.designation-accepted", person);
        var receipt = accepted["designation-receipt"]!;
        Assert.Equal(
            (person, reference, "open", "tj-paris"),
            (
                receipt["personRef"]!.GetValue<string>(),
                receipt["authorityReference"]!.GetValue<string>(),
                receipt["status"]!.GetValue<string>(),
                receipt["sentenceEnforcementJurisdiction"]!.GetValue<string>()
            )
        );
        Assert.Equal(["designation-receipt"], accepted.Select(p => p.Key));
        AssertMatchesMailboxSchema("supervision.designation-accepted", accepted);

        // The prosecutor of 75 did not designate this person: it neither gets the receipt nor finds the person by the JAP's reference.
        Assert.DoesNotContain(
            await MailboxAsync("prosecutor-75"),
            d => d.GetProperty("type").GetString() == "supervision.designation-accepted"
        );
        var foreign = await SendAsync(
            "prosecutor-75",
            IngressTypeNames.WithdrawDesignation,
            new JsonObject { ["authorityReference"] = reference }
        );
        AssertRefused(foreign, HttpStatusCode.Forbidden, ReasonCodes.UnknownAuthorityReference);
        // Naming both, and not the same person: refused.
        var mismatch = await SendAsync(
            "jap-75",
            IngressTypeNames.WithdrawDesignation,
            new JsonObject { ["authorityReference"] = reference, ["personRef"] = "75-P-0123456789ABCDEFGHJKMNPQRS" }
        );
        AssertRefused(mismatch, HttpStatusCode.Forbidden, ReasonCodes.PersonNotDesignated);

        // The JAP withdraws by its own reference: the case ends, and the JAP is told.
        var withdrawal = await SendAsync(
            "jap-75",
            IngressTypeNames.WithdrawDesignation,
            new JsonObject { ["authorityReference"] = reference }
        );
        Assert.Equal(HttpStatusCode.Accepted, withdrawal.Status);
        var ended = (await OpenDeliveryAsync("jap-75", "75-jap", "supervision.case-ended", person))["designation-receipt"]!;
        Assert.Equal(
            (person, reference, "ended", "designation-withdrawn"),
            (
                ended["personRef"]!.GetValue<string>(),
                ended["authorityReference"]!.GetValue<string>(),
                ended["status"]!.GetValue<string>(),
                ended["endReason"]!.GetValue<string>()
            )
        );

        AssertMatchesMailboxSchema(
            "supervision.case-ended",
            (await OpenDeliveryAsync("jap-75", "75-jap", "supervision.case-ended", person))
        );

        // The two receipts are audited as releases on Supervision's lane, to the JAP only, under the rules in force.
        var audit = await AuditNamingAsync(person);
        Assert.Equal(
            2,
            audit.Count(e =>
                e.GetProperty("outcome").GetString() == "released"
                && e.GetProperty("recipient").GetString() == "75-jap"
                && e.GetProperty("source").GetString() == "supervision"
                && e.GetProperty("categories").GetString() == "designation-receipt"
            )
        );
        await AssertCanaryNowhereAsync(reference);
    }

    [Fact]
    public async Task A_partner_taken_off_a_case_gets_nothing_more_about_it_and_its_messages_are_refused()
    {
        var person = await DesignateAsync("prosecutor-75", $"Gavroche-{Canary}");
        await AssignAsync(person, "75-association");
        await AssignAsync(person, "75-police");

        // Another territory's operator cannot take a partner off; an unknown partner is a problem, not a change.
        using (var other = _host.ClientFor(DemoPrincipals.Named("operational-cell-93")))
            Assert.Equal(
                HttpStatusCode.Forbidden,
                (await other.DeleteAsync($"/supervision/cases/{person}/partners/75-association")).StatusCode
            );
        using var cell = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        var unknown = await cell.DeleteAsync($"/supervision/cases/{person}/partners/75-city");
        Assert.Equal((HttpStatusCode.Conflict, "not-assigned-to-case"), (unknown.StatusCode, await ReasonCodeOfAsync(unknown)));

        var off = await cell.DeleteAsync($"/supervision/cases/{person}/partners/75-association");
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        var view = (await off.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("partners").EnumerateArray().ToList();
        Assert.NotNull(view.Single(p => p.GetProperty("partner").GetString() == "75-association").GetProperty("unassignedAt").GetString());
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                return await scope
                    .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
                    .PartnerAssignments.AnyAsync(a => a.Partner == "75-association" && a.UnassignedAt != null);
            },
            "the gateway knows the association is off the case"
        );

        // Its message about the case: refused, final, with its own reason.
        var late = await SendAsync(
            "association-75",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = Today,
                ["outcome"] = "compliant",
            }
        );
        AssertRefused(late, HttpStatusCode.Forbidden, ReasonCodes.UnassignedFromCase);

        // A new plan reaches the police, not the association.
        var before = (await MailboxAsync("association-75")).Length;
        var control = Guid.NewGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await cell.PostAsJsonAsync(
                    $"/supervision/cases/{person}/controls",
                    new
                    {
                        partner = "75-police",
                        scheduledFor = Today,
                        controlId = control,
                    }
                )
            ).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
                (await AuditNamingAsync(person)).Any(e =>
                    e.GetProperty("recipient").GetString() == "75-police" && e.GetProperty("categories").GetString() == "control-plan"
                ),
            "the plan released to the police"
        );
        Assert.Equal(before, (await MailboxAsync("association-75")).Length);
        Assert.DoesNotContain(
            await AuditNamingAsync(person),
            e => e.GetProperty("recipient").GetString() == "75-association" && e.GetProperty("categories").GetString() == "control-plan"
        );

        // The unassignment is on the record: who, and the access log names the case.
        var association = view.Single(p => p.GetProperty("partner").GetString() == "75-association");
        Assert.Equal("association", association.GetProperty("role").GetString());
        await using (var scope = _host.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Coordination.Supervision.Persistence.SupervisionDbContext>();
            Assert.Contains(
                await db.AccessLog.ToListAsync(),
                a =>
                    a.Method == "DELETE"
                    && a.Principal == "operational-cell-75"
                    && a.RecordRef == $"person:{person}"
                    && a.Outcome == "allowed"
            );
            Assert.Equal(
                "operational-cell-75",
                (
                    await db
                        .Cases.Include(c => c.Assignments)
                        .SingleAsync(c => c.Person == Coordination.Contracts.Values.PersonRef.Parse(person))
                )
                    .Assignments.Single(a => a.Partner == "75-association")
                    .UnassignedBy
            );
        }
        // Assigned again, it is followed again.
        await AssignAsync(person, "75-association");
        var back = await SendAsync(
            "association-75",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = Today,
                ["outcome"] = "compliant",
            }
        );
        Assert.Equal(HttpStatusCode.Accepted, back.Status);
        await AssertCanaryNowhereAsync();
    }

    [Fact]
    public async Task Support_actions_reach_their_partner_under_their_own_category_and_count_in_the_court_report()
    {
        var person = await DesignateAsync("jap-75", $"Cosette-{Canary}");
        await AssignAsync(person, "75-association");
        await AssignAsync(person, "75-prison-administration");
        using var cell = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));

        var bad = await cell.PostAsJsonAsync(
            $"/supervision/cases/{person}/support-actions",
            new
            {
                kind = "lottery",
                partner = "75-association",
                plannedOn = Today,
            }
        );
        Assert.Equal(
            (HttpStatusCode.BadRequest, ReasonCodes.InvalidField),
            (bad.StatusCode, ReasonCodeOf(await bad.Content.ReadFromJsonAsync<JsonElement>()))
        );
        var notOnCase = await cell.PostAsJsonAsync(
            $"/supervision/cases/{person}/support-actions",
            new
            {
                kind = "housing",
                partner = "75-city",
                plannedOn = Today,
            }
        );
        Assert.Equal((HttpStatusCode.Conflict, "not-assigned-to-case"), (notOnCase.StatusCode, await ReasonCodeOfAsync(notOnCase)));

        var housing = Guid.NewGuid();
        var planned = await cell.PostAsJsonAsync(
            $"/supervision/cases/{person}/support-actions",
            new
            {
                kind = "housing",
                partner = "75-association",
                plannedOn = Today,
                actionId = housing,
            }
        );
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);

        // The association learns of the action in its case information, under support-actions.
        var information = await OpenDeliveryAsync(
            "association-75",
            "75-association",
            "supervision.case-information",
            person,
            c => c["support-actions"] is JsonArray { Count: > 0 }
        );
        var action = Assert.Single(information["support-actions"]!.AsArray())!;
        Assert.Equal(
            (housing.ToString(), "housing", "planned", "75-association"),
            (
                action["actionId"]!.GetValue<string>(),
                action["kind"]!.GetValue<string>(),
                action["status"]!.GetValue<string>(),
                action["partner"]!.GetValue<string>()
            )
        );

        // The partner reports progress through the door; another partner of the case may not report on it.
        var other = await SendAsync("prison-75", IngressTypeNames.ReportSupportProgress, Progress(person, housing, "in-progress"));
        // accepted at the door (it follows the case), refused by Supervision: not its action
        Assert.Equal(HttpStatusCode.Accepted, other.Status);
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await SendAsync("association-75", IngressTypeNames.ReportSupportProgress, Progress(person, housing, "in-progress"))).Status
        );
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await SendAsync("association-75", IngressTypeNames.ReportSupportProgress, Progress(person, housing, "completed"))).Status
        );
        var notFollowing = await SendAsync("police-75", IngressTypeNames.ReportSupportProgress, Progress(person, housing, "abandoned"));
        AssertRefused(notFollowing, HttpStatusCode.Forbidden, ReasonCodes.NotAssignedToCase);

        JsonElement supervised = default;
        await Poller.UntilAsync(
            async () =>
                (supervised = (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person}")).Single())
                    .GetProperty("supportActions")[0]
                    .GetProperty("status")
                    .GetString() == "completed",
            "the action completed on the case"
        );
        Assert.Equal(Today, supervised.GetProperty("supportActions")[0].GetProperty("closedOn").GetString());

        // The court report counts them, as figures only.
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                return await scope
                        .ServiceProvider.GetRequiredService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>()
                        .Facts.CountAsync(f => f.Id == housing) == 3;
            },
            "CourtReporting heard of the action planned, started and completed"
        );
        var issued = await _host.Http.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var report = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var figures = report.GetProperty("figures");
        Assert.Equal(
            (1, 1, 1, 0),
            (
                figures.GetProperty("supportActionsPlanned").GetInt32(),
                figures.GetProperty("supportActionsStarted").GetInt32(),
                figures.GetProperty("supportActionsCompleted").GetInt32(),
                figures.GetProperty("supportActionsAbandoned").GetInt32()
            )
        );
        Assert.DoesNotContain("housing", report.GetRawText());

        // The JAP's copy of the report carries the same figures.
        // The JAP is granted identities for court reports: the canary is expected there, and only there.
        var delivered = await OpenDeliveryAsync(
            "jap-75",
            "75-jap",
            "court-reporting.report",
            null,
            c => c["court-report"]?["number"]?.GetValue<int>() == report.GetProperty("number").GetInt32(),
            identityGranted: true
        );
        Assert.Equal(1, delivered["court-report"]!["figures"]!["supportActionsCompleted"]!.GetValue<int>());
        await AssertCanaryNowhereAsync();
    }

    [Fact]
    public async Task A_restricted_case_is_seen_only_by_the_operators_named_and_released_only_under_a_rule_naming_the_restriction()
    {
        var person = await DesignateAsync("jap-75", $"Eponine-{Canary}");
        await AssignAsync(person, "75-police");
        using var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        using var cell = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        using var staff = _host.ClientFor(DemoPrincipals.Named("security-staff-75"));

        // Only the secretariat restricts, with a reason from the closed list.
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await cell.PostAsJsonAsync(
                    $"/supervision/cases/{person}/restriction",
                    new { reason = "protected-witness", operators = new[] { "operational-cell-75" } }
                )
            ).StatusCode
        );
        var badReason = await secretariat.PostAsJsonAsync(
            $"/supervision/cases/{person}/restriction",
            new { reason = "celebrity", operators = Array.Empty<string>() }
        );
        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        var restricted = await secretariat.PostAsJsonAsync(
            $"/supervision/cases/{person}/restriction",
            new { reason = "protected-witness", operators = new[] { "operational-cell-75" } }
        );
        Assert.Equal(HttpStatusCode.OK, restricted.StatusCode);
        Assert.Equal(
            ["operational-cell-75", "secretariat-75"],
            (await restricted.Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("restriction")
                .GetProperty("operators")
                .EnumerateArray()
                .Select(o => o.GetString())
        );

        // An operator of the same territory not named on it: answered exactly as for a case that does not exist.
        // Status, headers that matter and body alike (all but the trace id), for a read and for a write: nothing tells them apart.
        const string Missing = "75-P-0123456789ABCDEFGHJKMNPQRS";
        Assert.Equal(
            await AnswerOf(await staff.GetAsync($"/supervision/cases/{Missing}")),
            await AnswerOf(await staff.GetAsync($"/supervision/cases/{person}"))
        );
        Assert.DoesNotContain(
            (await staff.GetFromJsonAsync<JsonElement[]>("/supervision/cases"))!,
            c => c.GetProperty("person").GetString() == person
        );
        var control = new { partner = "75-police", scheduledFor = Today };
        var hiddenWrite = await AnswerOf(await staff.PostAsJsonAsync($"/supervision/cases/{person}/controls", control));
        Assert.Equal(await AnswerOf(await staff.PostAsJsonAsync($"/supervision/cases/{Missing}/controls", control)), hiddenWrite);
        Assert.StartsWith("403 ", hiddenWrite);
        // A named operator sees it, in the case and in the list.
        Assert.Equal(HttpStatusCode.OK, (await cell.GetAsync($"/supervision/cases/{person}")).StatusCode);
        Assert.Contains(
            (await cell.GetFromJsonAsync<JsonElement[]>("/supervision/cases"))!,
            c => c.GetProperty("person").GetString() == person
        );

        // Every read is logged, the refused ones too, and a list naming the restricted case names it.
        await using (var scope = _host.App.Services.CreateAsyncScope())
        {
            var log = await scope
                .ServiceProvider.GetRequiredService<Coordination.Supervision.Persistence.SupervisionDbContext>()
                .AccessLog.AsNoTracking()
                .ToListAsync();
            Assert.Contains(log, a => a.Principal == "security-staff-75" && a.RecordRef == $"person:{person}" && a.Outcome == "denied");
            Assert.Contains(
                log,
                a =>
                    a.Principal == "operational-cell-75" && a.RecordRef == $"person:{person}" && a.Method == "GET" && a.Outcome == "allowed"
            );
            Assert.Contains(
                log,
                a =>
                    a.Principal == "operational-cell-75"
                    && a.RecordRef == $"person:{person}"
                    && a.Purpose == Coordination.Supervision.Api.SupervisionApi.RestrictedCaseRead
            );
        }

        // A release about it under the ordinary rules: denied, because no rule names the restriction.
        var policeBefore = (await MailboxAsync("police-75")).Count(d => d.GetProperty("body").GetProperty("person").GetString() == person);
        var first = Guid.NewGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await cell.PostAsJsonAsync(
                    $"/supervision/cases/{person}/controls",
                    new
                    {
                        partner = "75-police",
                        scheduledFor = Today,
                        controlId = first,
                    }
                )
            ).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
                (await AuditNamingAsync(person)).Any(e =>
                    e.GetProperty("recipient").GetString() == "75-police"
                    && e.GetProperty("reason").GetString() == ReleaseReasonCodes.RestrictedCase
                ),
            "the plan denied as restricted-case"
        );
        Assert.Equal(
            policeBefore,
            (await MailboxAsync("police-75")).Count(d => d.GetProperty("body").GetProperty("person").GetString() == person)
        );

        // The secretariat adopts a grant naming the restriction: the next plan reaches the police, and only what that grant names.
        var rules = DemoSharingRules
            .Rules.Select(r => new
            {
                category = ClosedList<DataCategory>.WordOf(r.Category),
                roles = r.Roles.Select(ClosedList<RecipientRole>.WordOf).ToArray(),
                purpose = ClosedList<SharingPurpose>.WordOf(r.Purpose),
                legalBasis = r.LegalBasis,
                restrictions = (string[]?)null,
            })
            .Append(
                new
                {
                    category = "control-plan",
                    roles = new[] { "state-service" },
                    purpose = "community-supervision",
                    legalBasis = "CSI L132-10-1 I 3°",
                    restrictions = (string[]?)["protected-witness"],
                }
            );
        Assert.Equal(
            HttpStatusCode.Created,
            (await secretariat.PostAsJsonAsync("/sharing-rules/75", new { proposedBy = new[] { "groupe restreint" }, rules })).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await cell.PostAsJsonAsync($"/supervision/cases/{person}/controls", new { partner = "75-police", scheduledFor = Today })
            ).StatusCode
        );
        var plan = await OpenDeliveryAsync(
            "police-75",
            "75-police",
            "supervision.case-information",
            person,
            c => c.ContainsKey("control-plan") && c["control-plan"]!.AsArray().Count == 2
        );
        Assert.Equal(["control-plan"], plan.Select(p => p.Key));

        // In the JAP's court report the restricted case keeps its line, under the reference: no rule names the restriction for its
        // identity.
        var issued = await _host.Http.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var number = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32();
        var toJap = await OpenDeliveryAsync(
            "jap-75",
            "75-jap",
            "court-reporting.report",
            null,
            c => c["court-report"]?["number"]?.GetValue<int>() == number,
            identityGranted: true
        );
        Assert.Contains(person, toJap["court-report"]!["cases"]!.AsArray().Select(l => l!["person"]!.GetValue<string>()));
        Assert.False(toJap["identities"]!.AsObject().ContainsKey(person));
        Assert.DoesNotContain(Canary, toJap.ToJsonString());
        await AssertCanaryNowhereAsync();
    }

    [Fact]
    public async Task Each_documented_example_of_these_flows_is_sent_as_written_and_answered_as_documented()
    {
        // The mailbox examples are what the schemas describe.
        foreach (var type in new[] { "supervision.designation-accepted", "supervision.case-ended" })
            AssertMatchesMailboxSchema(
                type,
                JsonNode
                    .Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "mailbox-schemas", "examples", $"{type}.json")))!
                    .AsObject()
            );

        // supervision.designate-person, as written (the JAP's own reference included).
        var designation = Fresh(IngressTypeNames.DesignatePerson);
        var reference = designation["payload"]!["authorityReference"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await SendEnvelopeAsync("jap-75", designation)).Status);
        var accepted = await OpenDeliveryAsync("jap-75", "75-jap", "supervision.designation-accepted", null);
        AssertMatchesMailboxSchema("supervision.designation-accepted", accepted);
        Assert.Equal(reference, accepted["designation-receipt"]!["authorityReference"]!.GetValue<string>());
        var person = accepted["designation-receipt"]!["personRef"]!.GetValue<string>();

        // supervision.report-support-progress, about the action the example names, by the partner carrying it.
        await AssignAsync(person, "75-association");
        var progress = Fresh(IngressTypeNames.ReportSupportProgress);
        var actionId = progress["payload"]!["actionId"]!.GetValue<string>();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _host.Http.PostAsJsonAsync(
                    $"/supervision/cases/{person}/support-actions",
                    new
                    {
                        kind = "employment",
                        partner = "75-association",
                        plannedOn = progress["payload"]!["on"]!.GetValue<string>(),
                        actionId,
                    }
                )
            ).StatusCode
        );
        progress["payload"]!["personRef"] = person;
        Assert.Equal(HttpStatusCode.Accepted, (await SendEnvelopeAsync("association-75", progress)).Status);
        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person}"))
                    .Single()
                    .GetProperty("supportActions")[0]
                    .GetProperty("status")
                    .GetString() == "in-progress",
            "the example's progress on the case"
        );

        // supervision.withdraw-designation, as written: by the JAP's own reference.
        Assert.Equal(HttpStatusCode.Accepted, (await SendEnvelopeAsync("jap-75", Fresh(IngressTypeNames.WithdrawDesignation))).Status);
        var ended = await OpenDeliveryAsync("jap-75", "75-jap", "supervision.case-ended", person);
        AssertMatchesMailboxSchema("supervision.case-ended", ended);
    }

    private static JsonObject Fresh(string type)
    {
        var example = IngressOverHttpTests.Example(type);
        example["messageId"] = Guid.NewGuid().ToString();
        return example;
    }

    private static readonly Lazy<Dictionary<string, Json.Schema.JsonSchema>> MailboxSchemas = new(() =>
        Directory
            .GetFiles(Path.Combine(AppContext.BaseDirectory, "mailbox-schemas"), "*.v1.schema.json")
            .ToDictionary(f => Path.GetFileName(f)[..^".v1.schema.json".Length], f => Json.Schema.JsonSchema.FromText(File.ReadAllText(f)))
    );

    private static void AssertMatchesMailboxSchema(string type, JsonObject contents)
    {
        var result = MailboxSchemas
            .Value[type]
            .Evaluate(
                JsonDocument.Parse(contents.ToJsonString()).RootElement,
                new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List, RequireFormatValidation = true }
            );
        Assert.True(
            result.IsValid,
            $"{type}: {string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}")))}"
        );
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendEnvelopeAsync(string principal, JsonObject envelope)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        return await AgencyClient.PostAsync(agency, envelope);
    }

    private static JsonObject Progress(string person, Guid action, string status) =>
        new()
        {
            ["personRef"] = person,
            ["actionId"] = action.ToString(),
            ["status"] = status,
            ["on"] = Today,
        };

    /// <summary>What a caller can tell of an answer: status, content type and body, the per-request trace id left out.</summary>
    private static async Task<string> AnswerOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (body.Length > 0 && System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject json)
        {
            json.Remove("traceId");
            body = json.ToJsonString();
        }
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {body}";
    }

    /// <summary>Designates through the HTTP door; returns the reference once Supervision opened the case.</summary>
    private async Task<string> DesignateAsync(string principal, string lastName, string? authorityReference = null)
    {
        var payload = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
        payload["identity"]!["lastName"] = lastName;
        payload["releaseDate"] = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30).ToString("yyyy-MM-dd");
        if (authorityReference is null)
            payload.Remove("authorityReference");
        else
            payload["authorityReference"] = authorityReference;
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(principal, IngressTypeNames.DesignatePerson, payload)).Status);
        string? person = null;
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                var vault = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Application.IdentityVault>();
                var db = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
                foreach (var entry in await db.Vault.AsNoTracking().ToListAsync())
                    if ((await vault.OpenAsync(entry.Person, default))!.Identity.LastName == lastName)
                        person = entry.Person.Value;
                return person is not null
                    && (await _host.GetJsonAsync<JsonElement[]>("/supervision/cases")).Any(c =>
                        c.GetProperty("person").GetString() == person
                    );
            },
            "the case opened"
        );
        return person!;
    }

    private async Task AssignAsync(string person, string partner)
    {
        Assert.Equal(
            HttpStatusCode.OK,
            (await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/partners", new { partner })).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                return await scope
                    .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
                    .PartnerAssignments.AnyAsync(a =>
                        a.Partner == partner && a.Person == Coordination.Contracts.Values.PersonRef.Parse(person) && a.UnassignedAt == null
                    );
            },
            $"the gateway knows {partner} follows the person"
        );
    }

    private async Task<JsonElement[]> MailboxAsync(string principal)
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        return await MailboxReader.ReadAsync(agency);
    }

    /// <summary>The agency's newest delivery of that type about that person (and matching), opened with its own key.</summary>
    private async Task<JsonObject> OpenDeliveryAsync(
        string principal,
        string agency,
        string type,
        string? person,
        Func<JsonObject, bool>? matches = null,
        bool identityGranted = false
    )
    {
        using var mailbox = _host.ClientFor(DemoPrincipals.Named(principal));
        var (_, contents) = await DeliveryOpener.AwaitInMailboxAsync(mailbox, _host.Keys, agency, type, person, matches);
        if (!identityGranted)
            Assert.DoesNotContain(Canary, contents.ToJsonString());
        return contents;
    }

    private async Task<List<JsonElement>> AuditNamingAsync(string person)
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        return (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("references").GetString()!.Contains($"person:{person}", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>
    /// The identity stays in the vault: not in a log line, an audit entry, a database file (the vault's is
    /// sealed), nor the authority's own reference in any of them but sealed.
    /// </summary>
    private async Task AssertCanaryNowhereAsync(string? authorityReference = null)
    {
        var logs = _host.App.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, l => (l.Message + l.Exception).Contains("CANARY", StringComparison.Ordinal));
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var audit = await auditor.GetStringAsync("/audit?limit=1000");
        Assert.DoesNotContain("CANARY", audit);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = await DatabaseFiles.ReadAllAsync(_host.Folder);
        Assert.DoesNotContain("CANARY", files);
        if (authorityReference is not null)
        {
            Assert.DoesNotContain(logs, l => (l.Message + l.Exception).Contains(authorityReference, StringComparison.Ordinal));
            Assert.DoesNotContain(authorityReference, audit);
            Assert.DoesNotContain(authorityReference, files);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(
        string principal,
        string type,
        JsonObject payload,
        Guid? messageId = null
    )
    {
        var envelope = AgencyClient.Envelope(type, payload, "75", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), messageId);
        return await SendEnvelopeAsync(principal, envelope);
    }
}
