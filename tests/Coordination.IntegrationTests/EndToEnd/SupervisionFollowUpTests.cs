using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Coordination.Testing.RejectionAssertions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>The follow-up's rules through the all-in-one host, agencies on the HTTP door, operators on the API.</summary>
public sealed class SupervisionFollowUpTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 4, 2, 8, 0, 0, TimeSpan.Zero));
    private ServiceHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServiceHost.StartAllInOneAsync(
            b => b.Services.AddSingleton<TimeProvider>(_clock),
            "--Supervision:RetentionPeriod=30.00:00:00"
        );

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_serious_incident_is_reported_at_once_and_the_monthly_report_does_not_count_it_again()
    {
        var person = await DesignateAsync("Hugo");
        await AssignAsync(person, "75-association");
        var control = Guid.NewGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _host.Http.PostAsJsonAsync(
                    $"/supervision/cases/{person}/controls",
                    new
                    {
                        partner = "75-association",
                        scheduledFor = "2026-04-09",
                        controlId = control,
                    }
                )
            ).StatusCode
        );
        _clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await SendAsync(
                    "association-75",
                    IngressTypeNames.RecordControl,
                    new JsonObject
                    {
                        ["personRef"] = person,
                        ["controlId"] = control.ToString(),
                        ["controlledOn"] = "2026-04-09",
                        ["outcome"] = "compliant",
                    }
                )
            ).Status
        );
        await Poller.UntilAsync(
            async () => (await PictureAsync()).Any(c => c.GetProperty("controlsDone").GetInt32() == 1),
            "the control in the picture"
        );

        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await SendAsync(
                    "association-75",
                    IngressTypeNames.ReportIncident,
                    new JsonObject
                    {
                        ["personRef"] = person,
                        ["incidentId"] = Guid.NewGuid().ToString(),
                        ["kind"] = "threat-or-violence",
                        ["severity"] = "serious",
                        ["occurredAt"] = "2026-04-10T18:00:00+02:00",
                    }
                )
            ).Status
        );
        JsonElement[] reports = [];
        await Poller.UntilAsync(async () => (reports = await ReportsAsync()).Length == 1, "the immediate report");
        var immediate = reports[0];
        Assert.Equal(
            ("serious-incident", "2026-04-01", "2026-04-10"),
            (
                immediate.GetProperty("trigger").GetString(),
                immediate.GetProperty("periodStart").GetString(),
                immediate.GetProperty("periodEnd").GetString()
            )
        );
        Assert.Equal((1, 1, 0, 1), Figures(immediate));

        _clock.SetUtcNow(new DateTimeOffset(2026, 5, 1, 0, 1, 0, TimeSpan.Zero));
        await Poller.UntilAsync(async () => (reports = await ReportsAsync()).Length == 2, "the monthly report");
        var monthly = reports.Single(r => r.GetProperty("number").GetInt32() == 2);
        Assert.Equal(
            ("periodic", "2026-04-11", "2026-04-30"),
            (
                monthly.GetProperty("trigger").GetString(),
                monthly.GetProperty("periodStart").GetString(),
                monthly.GetProperty("periodEnd").GetString()
            )
        );
        // The case is still open, but the control and the incident were counted once, in report 1.
        Assert.Equal((0, 0, 0, 0), Figures(monthly));
        Assert.Equal(1, monthly.GetProperty("figures").GetProperty("openCases").GetInt32());
        var first = await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/1");
        var second = await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/2");
        Assert.Equal(3, first.GetProperty("coveredFacts").GetArrayLength());
        Assert.Empty(second.GetProperty("coveredFacts").EnumerateArray());

        // Both reached the JAP of Paris, over HTTP too.
        using var jap = _host.ClientFor(DemoPrincipals.Named("jap-75"));
        await Poller.UntilAsync(
            async () => (await MailboxReader.ReadAsync(jap)).Count(d => d.GetProperty("type").GetString() == "court-reporting.report") == 2,
            "two reports in the JAP's mailbox"
        );
    }

    [Fact]
    public async Task Facts_that_arrive_before_the_cases_opening_are_kept_and_reported_once_it_arrives()
    {
        // On the broker, each fact has its own queue: nothing orders the opening before the first fact.
        var caseId = Guid.NewGuid();
        var person = Coordination.Contracts.Values.PersonRef.New(Coordination.Contracts.Values.TerritoryCode.Parse("75"));
        await _host.Bus.Publish(
            new Coordination.Contracts.Supervision.ControlScheduled
            {
                CaseId = caseId,
                ControlId = Guid.NewGuid(),
                Person = person,
                Partner = Coordination.Contracts.Values.PartnerId.Parse("75-association"),
                ScheduledFor = new DateOnly(2026, 4, 2),
            }
        );
        await _host.Bus.Publish(
            new Coordination.Contracts.Supervision.IncidentReported
            {
                CaseId = caseId,
                IncidentId = Guid.NewGuid(),
                Person = person,
                Kind = Coordination.Contracts.Supervision.IncidentKind.ThreatOrViolence,
                Severity = Coordination.Contracts.Supervision.IncidentSeverity.Serious,
                OccurredAt = new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(2)),
            }
        );
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                return await scope
                        .ServiceProvider.GetRequiredService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>()
                        .Facts.CountAsync(f => f.CaseId == caseId) == 2;
            },
            "both facts kept"
        );
        Assert.Empty(await ReportsAsync());
        Assert.Empty(await PictureAsync());

        await _host.Bus.Publish(
            new Coordination.Contracts.Supervision.SupervisionOpened
            {
                CaseId = caseId,
                Person = person,
                Territory = person.Territory,
                SentenceEnforcementJurisdiction = "tj-paris",
                ReleaseDate = new DateOnly(2026, 3, 30),
                MeasureEndsOn = new DateOnly(2027, 3, 30),
            }
        );
        JsonElement[] reports = [];
        await Poller.UntilAsync(
            async () => (reports = await ReportsAsync()).Length == 1,
            "the serious incident reported once the jurisdiction is known"
        );
        Assert.Equal("serious-incident", reports[0].GetProperty("trigger").GetString());
        Assert.Equal((1, 0, 0, 1), Figures(reports[0]));
        Assert.Equal(
            person.Value,
            Assert
                .Single(
                    (await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/1")).GetProperty("lines").EnumerateArray()
                )
                .GetProperty("person")
                .GetString()
        );
    }

    [Fact]
    public async Task The_judicial_authority_withdraws_the_designation_and_the_partners_can_no_longer_record()
    {
        var person = await DesignateAsync("Javert");
        await AssignAsync(person, "75-prison-administration");

        Assert.Equal(
            HttpStatusCode.Accepted,
            (await SendAsync("jap-75", IngressTypeNames.WithdrawDesignation, new JsonObject { ["personRef"] = person })).Status
        );
        await Poller.UntilAsync(async () => (await CaseAsync(person)).GetProperty("status").GetString() == "ended", "the case ended");
        Assert.Equal("designation-withdrawn", (await CaseAsync(person)).GetProperty("endReason").GetString());

        await Poller.UntilAsync(async () => await AssignmentsAsync(person) == 0, "the gateway told");
        var late = await SendAsync(
            "prison-75",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = "2026-04-01",
                ["outcome"] = "compliant",
            }
        );
        AssertRefused(late, HttpStatusCode.Forbidden, ReasonCodes.NotAssignedToCase);

        // The operator cannot reopen the follow-up, and cannot end a case as if the designation were withdrawn.
        var again = await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/partners", new { partner = "75-police" });
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    [Fact]
    public async Task Purging_an_old_case_leaves_the_same_persons_later_case_whole()
    {
        var person = await DesignateAsync("Fantine");
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "transferred-to-another-territory" })
            ).StatusCode
        );
        // Designated again after the first case ended: the vault gives the same reference, Supervision a new case.
        await DesignateAgainAsync("Fantine", person);
        await AssignAsync(person, "75-association");

        _clock.SetUtcNow(_clock.GetUtcNow().AddDays(31));
        await Poller.UntilAsync(
            async () => (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person}")).Length == 1,
            "the first case purged"
        );
        await Poller.UntilAsync(
            async () =>
                await HandledAsync<Coordination.Gateway.Persistence.GatewayDbContext>(
                    typeof(Coordination.Gateway.Consumers.SupervisionPurgedConsumer)
                )
                && await HandledAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext>(
                    typeof(Coordination.CourtReporting.Consumers.SupervisionPurgedConsumer)
                ),
            "the purge handled by the gateway and CourtReporting"
        );
        Assert.Equal("open", (await CaseAsync(person)).GetProperty("status").GetString());
        Assert.Equal(1, await AssignmentsAsync(person));
        var withdrawal = await SendAsync("jap-75", IngressTypeNames.WithdrawDesignation, new JsonObject { ["personRef"] = person });
        Assert.Equal(HttpStatusCode.Accepted, withdrawal.Status);
        await Poller.UntilAsync(
            async () => (await CaseAsync(person)).GetProperty("status").GetString() == "ended",
            "the later case withdrawn"
        );
    }

    [Fact]
    public async Task Purge_late_facts_of_a_purged_case_are_dropped_and_counted_and_nothing_of_it_comes_back()
    {
        var dropped = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == Coordination.ServiceDefaults.Persistence.LateFacts.DroppedCounterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (_, _, tags, _) =>
                dropped.Add(
                    $"{tags.ToArray().Single(t => t.Key == "coordination.service").Value}:"
                        + $"{tags.ToArray().Single(t => t.Key == "coordination.fact").Value}"
                )
        );
        listener.Start();

        var person = await DesignateAsync("Javert");
        await AssignAsync(person, "75-association");
        var caseId = (await CaseAsync(person)).GetProperty("id").GetGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "end-of-measure" })).StatusCode
        );
        _clock.SetUtcNow(_clock.GetUtcNow().AddDays(31));
        await Poller.UntilAsync(
            async () =>
                await HandledAsync<Coordination.Gateway.Persistence.GatewayDbContext>(
                    typeof(Coordination.Gateway.Consumers.SupervisionPurgedConsumer)
                )
                && await HandledAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext>(
                    typeof(Coordination.CourtReporting.Consumers.SupervisionPurgedConsumer)
                ),
            "the purge handled by the gateway and CourtReporting"
        );

        // Facts Supervision published before the purge, delivered after it (each on its own queue).
        var reference = Coordination.Contracts.Values.PersonRef.Parse(person);
        var ended = new Coordination.Contracts.Supervision.SupervisionEnded
        {
            CaseId = caseId,
            Person = reference,
            Reason = Coordination.Contracts.Supervision.SupervisionEndReason.EndOfMeasure,
            EndedAt = _clock.GetUtcNow(),
        };
        var assigned = new Coordination.Contracts.Supervision.PartnerAssigned
        {
            CaseId = caseId,
            Person = reference,
            Partner = Coordination.Contracts.Values.PartnerId.Parse("75-association"),
            Role = Coordination.Contracts.Supervision.PartnerRole.Association,
        };
        var recorded = new Coordination.Contracts.Supervision.ControlRecorded
        {
            CaseId = caseId,
            ControlId = Guid.NewGuid(),
            Person = reference,
            Partner = Coordination.Contracts.Values.PartnerId.Parse("75-association"),
            ControlledOn = new DateOnly(2026, 4, 3),
            Outcome = Coordination.Contracts.Supervision.ControlOutcome.Missed,
        };
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        await PublishAsync(ended, ids[0]);
        await PublishAsync(assigned, ids[1]);
        await PublishAsync(recorded, ids[2]);
        await Poller.UntilAsync(
            async () =>
                await HandledByAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext>(ids) == 3
                && await HandledByAsync<Coordination.Gateway.Persistence.GatewayDbContext>(ids) == 2,
            "the late facts handled"
        );

        await using (var scope = _host.App.Services.CreateAsyncScope())
        {
            var reporting = scope.ServiceProvider.GetRequiredService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>();
            Assert.False(await reporting.Cases.AnyAsync(c => c.CaseId == caseId));
            Assert.False(await reporting.Facts.AnyAsync(f => f.CaseId == caseId));
            var gateway = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
            Assert.False(await gateway.KnownCases.AnyAsync(c => c.CaseId == caseId));
            Assert.False(await gateway.PartnerAssignments.AnyAsync(a => a.CaseId == caseId));
        }
        Assert.Equal(0, await AssignmentsAsync(person));
        Assert.Contains("court-reporting:SupervisionEnded", dropped);
        Assert.Contains("court-reporting:PartnerAssigned", dropped);
        Assert.Contains("court-reporting:ControlRecorded", dropped);
        Assert.Contains("gateway:SupervisionEnded", dropped);
        Assert.Contains("gateway:PartnerAssigned", dropped);
    }

    /// <summary>
    /// Every table of every database that holds <paramref name="values"/>, but the audit and access logs, which keep the bare reference by
    /// design (ADR 9).
    /// </summary>
    private async Task<List<string>> TablesNamingAsync(params string[] values)
    {
        var named = new List<string>();
        foreach (var file in Directory.GetFiles(_host.Folder, "*.db", SearchOption.AllDirectories))
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('AuditLog', 'AccessLog')";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    tables.Add(reader.GetString(0));
            }
            foreach (var table in tables)
            {
                await using var rows = connection.CreateCommand();
                rows.CommandText = $"SELECT * FROM \"{table}\"";
                await using var reader = await rows.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        var value = reader.GetValue(i) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reader.GetValue(i).ToString();
                        if (values.Any(v => value!.Contains(v, StringComparison.Ordinal)))
                            named.Add($"{Path.GetFileName(file)}:{table}.{reader.GetName(i)}");
                    }
            }
        }
        return named.Distinct().ToList();
    }

    private async Task<int> RefusalNoticesAsync(string agency)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
            .Set<Coordination.Gateway.Domain.AgencyDelivery>()
            .CountAsync(d => d.Agency == agency && d.Type == Coordination.Gateway.Application.Ingress.IngressProcessor.RejectionType);
    }

    private Task PublishAsync<T>(T message, Guid messageId)
        where T : class => _host.Bus.Publish(message, (MassTransit.PublishContext<T> c) => c.MessageId = messageId);

    private async Task<int> HandledByAsync<TContext>(Guid[] messageIds)
        where TContext : Coordination.ServiceDefaults.Outbox.ServiceDbContext
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TContext>().InboxEntries.CountAsync(e => messageIds.Contains(e.MessageId));
    }

    [Fact]
    public async Task A_court_report_the_gateway_refuses_says_why_and_its_facts_reach_the_jap_in_the_next_report()
    {
        var person = await DesignateAsync("Thenardier");
        await AssignAsync(person, "75-association");
        var control = Guid.NewGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _host.Http.PostAsJsonAsync(
                    $"/supervision/cases/{person}/controls",
                    new
                    {
                        partner = "75-association",
                        scheduledFor = "2026-04-09",
                        controlId = control,
                    }
                )
            ).StatusCode
        );
        await Poller.UntilAsync(
            async () => (await PictureAsync()).Any(c => c.GetProperty("controlsPlanned").GetInt32() == 1),
            "the planned control in the picture"
        );

        _clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 12, 0, 0, TimeSpan.Zero));
        // The secretariat of 75 adopts rules that grant court reports to nobody.
        using var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await secretariat.PostAsJsonAsync(
                    "/sharing-rules/75",
                    new
                    {
                        proposedBy = new[] { "groupe de travail" },
                        rules = new[]
                        {
                            new
                            {
                                category = "art41-opinion",
                                roles = new[] { "prosecutor" },
                                purpose = "art41-opinion",
                            },
                        },
                    }
                )
            ).StatusCode
        );
        var first = await _host.Http.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        JsonElement refused = default;
        await Poller.UntilAsync(
            async () =>
                (refused = await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/1")).GetProperty("status").GetString()
                == "refused",
            "report 1 refused"
        );
        Assert.Equal("no-rule-grants", refused.GetProperty("refusalReason").GetString());
        Assert.Contains($"control-planned:{control}", refused.GetProperty("coveredFacts").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains(
            await ReportsAsync(),
            r => r.GetProperty("number").GetInt32() == 1 && r.GetProperty("refusalReason").GetString() == "no-rule-grants"
        );
        // Its facts wait for the next report again.
        await Poller.UntilAsync(
            async () => (await PictureAsync()).Any(c => c.GetProperty("controlsPlanned").GetInt32() == 1),
            "the control back among the unreported facts"
        );

        // The rules grant reports to the JAP and SPIP again; the next report counts the control and reaches them.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(
            HttpStatusCode.Created,
            (
                await secretariat.PostAsJsonAsync(
                    "/sharing-rules/75",
                    new
                    {
                        proposedBy = new[] { "groupe de travail" },
                        rules = new[]
                        {
                            new
                            {
                                category = "court-report",
                                roles = new[] { "sentence-enforcement-court", "probation-service" },
                                purpose = "court-reporting",
                            },
                            new
                            {
                                category = "identity",
                                roles = new[] { "sentence-enforcement-court", "probation-service" },
                                purpose = "court-reporting",
                            },
                        },
                    }
                )
            ).StatusCode
        );
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(
            HttpStatusCode.Created,
            (await _host.Http.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null)).StatusCode
        );
        JsonElement second = default;
        await Poller.UntilAsync(
            async () =>
                (second = await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/2")).GetProperty("status").GetString()
                == "released",
            "report 2 released to the JAP and SPIP"
        );
        Assert.Contains($"control-planned:{control}", second.GetProperty("coveredFacts").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1, second.GetProperty("figures").GetProperty("controlsPlanned").GetInt32());
        using var jap = _host.ClientFor(DemoPrincipals.Named("jap-75"));
        var reports = (await MailboxReader.ReadAsync(jap))
            .Where(d => d.GetProperty("type").GetString() == "court-reporting.report")
            .ToList();
        Assert.Equal(second.GetProperty("id").GetGuid(), Assert.Single(reports).GetProperty("body").GetProperty("releaseId").GetGuid());
    }

    [Fact]
    public async Task Purge_under_load_leaves_nothing_naming_the_person_in_any_database()
    {
        var canary = $"Valjean-CANARY-{Guid.NewGuid():N}"[..30];
        var person = await DesignateAsync(canary);
        var other = await DesignateAsync("Cosette");
        await AssignAsync(person, "75-association");
        await AssignAsync(other, "75-association");
        // The person's traces in every service: a control planned and recorded, a refusal of a partner
        // not assigned (the person only inside the sealed original), a report with the person's line.
        var control = Guid.NewGuid();
        Assert.Equal(
            HttpStatusCode.OK,
            (
                await _host.Http.PostAsJsonAsync(
                    $"/supervision/cases/{person}/controls",
                    new
                    {
                        partner = "75-association",
                        scheduledFor = "2026-04-02",
                        controlId = control,
                    }
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Accepted,
            (
                await SendAsync(
                    "association-75",
                    IngressTypeNames.RecordControl,
                    new JsonObject
                    {
                        ["personRef"] = person,
                        ["controlId"] = control.ToString(),
                        ["controlledOn"] = "2026-04-02",
                        ["outcome"] = "missed",
                    }
                )
            ).Status
        );
        await SendAsync(
            "police-75",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = "2026-04-02",
                ["outcome"] = "compliant",
            }
        );
        await Poller.UntilAsync(
            async () =>
                (await PictureAsync()).Any(c =>
                    c.GetProperty("person").GetString() == person && c.GetProperty("controlsMissed").GetInt32() == 1
                ),
            "the missed control in the picture"
        );
        Assert.Equal(
            HttpStatusCode.Created,
            (await _host.Http.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null)).StatusCode
        );
        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/1")).GetProperty("status").GetString()
                == "released",
            "the report released"
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "end-of-measure" })).StatusCode
        );
        await Poller.UntilAsync(async () => await RefusalNoticesAsync("75-police") == 1, "the refusal notice in the police's mailbox");
        // Before the purge the person is named in each service's own tables and outbox, and in the refusal notice's sealed original only by
        // ciphertext.
        var before = await TablesNamingAsync(person);
        Assert.True(
            new[]
            {
                "supervision.db:SupervisionCases.Person",
                "court-reporting.db:OutboxMessages.Body",
                "gateway.db:OutboxMessages.Body",
                "gateway.db:AgencyDeliveries.Body",
            }.All(before.Contains),
            string.Join(", ", before)
        );

        // Others' designations and controls keep flowing while the purge runs.
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var id = Guid.NewGuid();
                await _host.Http.PostAsJsonAsync(
                    $"/supervision/cases/{other}/controls",
                    new
                    {
                        partner = "75-association",
                        scheduledFor = "2026-06-10",
                        controlId = id,
                    }
                );
                await SendAsync(
                    "association-75",
                    IngressTypeNames.RecordControl,
                    new JsonObject
                    {
                        ["personRef"] = other,
                        ["controlId"] = id.ToString(),
                        ["controlledOn"] = "2026-06-10",
                        ["outcome"] = "compliant",
                    }
                );
                var payload = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
                payload["identity"]!["lastName"] = $"Load{n++}";
                await SendAsync("jap-75", IngressTypeNames.DesignatePerson, payload);
            }
        });
        _clock.SetUtcNow(_clock.GetUtcNow().AddDays(31));
        await Poller.UntilAsync(
            async () => (await _host.Http.GetAsync($"/supervision/cases/{person}")).StatusCode == HttpStatusCode.Forbidden,
            "the case purged"
        );
        await Poller.UntilAsync(
            async () =>
                await HandledAsync<Coordination.Gateway.Persistence.GatewayDbContext>(
                    typeof(Coordination.Gateway.Consumers.SupervisionPurgedConsumer)
                )
                && await HandledAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext>(
                    typeof(Coordination.CourtReporting.Consumers.SupervisionPurgedConsumer)
                ),
            "the purge handled by the gateway and CourtReporting"
        );
        await stop.CancelAsync();
        await load;
        // The purge message itself leaves Supervision's outbox once sent.
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                return !await scope
                    .ServiceProvider.GetRequiredService<Coordination.Supervision.Persistence.SupervisionDbContext>()
                    .OutboxMessages.AnyAsync(m => m.Body.Contains(person));
            },
            "the purge message gone from Supervision's outbox"
        );
        Assert.Contains(
            (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{other}")),
            c => c.GetProperty("status").GetString() == "open"
        );
        // The notice could name the person only inside its sealed original: notices of the territory made before the purge are gone.
        Assert.Equal(0, await RefusalNoticesAsync("75-police"));

        var named = await TablesNamingAsync(person, canary);
        Assert.True(named.Count == 0, string.Join("\n", named));
        // Nor, as bytes, anywhere on disk: deleted pages are overwritten (secure_delete).
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(canary, await DatabaseFiles.ReadAllAsync(_host.Folder));
    }

    [Fact]
    public async Task A_partner_refused_before_the_door_knows_its_assignment_may_send_the_same_message_again()
    {
        var person = await DesignateAsync("Cosette");
        var envelope = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["type"] = IngressTypeNames.RecordControl,
            ["schemaVersion"] = 1,
            ["territory"] = "75",
            ["occurredAt"] = "2026-04-02T10:00:00+02:00",
            ["payload"] = new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = "2026-04-02",
                ["outcome"] = "compliant",
            },
        };
        using var association = _host.ClientFor(DemoPrincipals.Named("association-75"));
        async Task<HttpStatusCode> Post() =>
            (await AgencyClient.PostAsync(association, "supervision.record-control", envelope.ToJsonString())).StatusCode;

        Assert.Equal(HttpStatusCode.Forbidden, await Post());
        await AssignAsync(person, "75-association");
        Assert.Equal(HttpStatusCode.Accepted, await Post());

        var tomorrow = await SendAsync(
            "association-75",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = person,
                ["controlId"] = Guid.NewGuid().ToString(),
                ["controlledOn"] = "2026-04-03",
                ["outcome"] = "missed",
            }
        );
        AssertRefused(tomorrow, HttpStatusCode.BadRequest, ReasonCodes.DateInFuture);
        await Poller.UntilAsync(
            async () => (await CaseAsync(person)).GetProperty("controls").GetArrayLength() == 1,
            "the accepted control on the case"
        );
    }

    [Fact]
    public async Task Operators_get_a_reason_for_every_refused_change_and_nothing_changes()
    {
        var person = await DesignateAsync("Thenardier");
        await AssignAsync(person, "75-association");

        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/partners", new { partner = "75-nobody" }),
            HttpStatusCode.BadRequest,
            "unknown-partner"
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/partners", new { partner = "93-association" }),
            HttpStatusCode.Conflict,
            "partner-of-another-territory"
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/partners", new { partner = "75-association" }),
            HttpStatusCode.Conflict,
            "already-assigned"
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync(
                $"/supervision/cases/{person}/controls",
                new { partner = "75-police", scheduledFor = "2026-04-09" }
            ),
            HttpStatusCode.Conflict,
            ReasonCodes.NotAssignedToCase
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync(
                $"/supervision/cases/{person}/controls",
                new { partner = "75-association", scheduledFor = "2030-01-01" }
            ),
            HttpStatusCode.Conflict,
            "outside-measure"
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "designation-withdrawn" }),
            HttpStatusCode.BadRequest,
            "withdrawal-is-judicial"
        );
        await AssertProblemAsync(
            await _host.Http.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "bored" }),
            HttpStatusCode.BadRequest,
            "invalid-field"
        );
        using (var bobigny = _host.ClientFor(DemoPrincipals.Named("security-staff-93")))
            Assert.Equal(
                HttpStatusCode.Forbidden,
                (await bobigny.PostAsJsonAsync($"/supervision/cases/{person}/end", new { reason = "death" })).StatusCode
            );

        var unchanged = await CaseAsync(person);
        Assert.Equal(
            ("open", 1, 0),
            (
                unchanged.GetProperty("status").GetString(),
                unchanged.GetProperty("partners").GetArrayLength(),
                unchanged.GetProperty("controls").GetArrayLength()
            )
        );

        // Partners are registered by the secretariat of their own territory, in the gateway's directory; Supervision's list follows.
        using var cell = _host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        var agency = new
        {
            account = "75-mission-locale",
            role = "association",
            territories = new[] { "75" },
            name = "Mission locale",
        };
        var partner = new
        {
            id = "75-mission-locale",
            role = "association",
            name = "Mission locale",
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await cell.PostAsJsonAsync("/directory/agencies", agency)).StatusCode);
        using var secretariat = _host.ClientFor(DemoPrincipals.Named("secretariat-75"));
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (
                await secretariat.PostAsJsonAsync(
                    "/directory/agencies",
                    agency with
                    {
                        account = "93-mission-locale",
                        territories = new[] { "93" },
                    }
                )
            ).StatusCode
        );
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync("/directory/partners", partner),
            HttpStatusCode.BadRequest,
            "unknown-agency"
        );
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsJsonAsync("/directory/agencies", agency)).StatusCode);
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync("/directory/partners", partner with { role = "charity" }),
            HttpStatusCode.BadRequest,
            "invalid-field"
        );
        Assert.Equal(HttpStatusCode.Created, (await secretariat.PostAsJsonAsync("/directory/partners", partner)).StatusCode);
        // The old door says where registration went, and registers nothing.
        await AssertProblemAsync(
            await secretariat.PostAsJsonAsync("/supervision/partners", partner),
            HttpStatusCode.Gone,
            "registered-in-the-directory"
        );
        JsonElement[] partners = [];
        await Poller.UntilAsync(
            async () =>
            {
                partners = (await secretariat.GetFromJsonAsync<JsonElement[]>("/supervision/partners"))!;
                return partners.Any(p => p.GetProperty("id").GetString() == "75-mission-locale");
            },
            "Supervision's partner list to follow the directory"
        );
        Assert.Contains(
            partners,
            p => p.GetProperty("id").GetString() == "75-mission-locale" && p.GetProperty("role").GetString() == "association"
        );
        Assert.DoesNotContain(partners, p => p.GetProperty("territory").GetString() == "93");
        await AssignAsync(person, "75-mission-locale");
    }

    [Fact]
    public async Task A_designation_naming_an_unknown_jurisdiction_is_refused_at_the_door()
    {
        var payload = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
        payload["sentenceEnforcementJurisdiction"] = "tj-bobigny"; // a jurisdiction of 93, not of 75
        var refused = await SendAsync("jap-75", IngressTypeNames.DesignatePerson, payload);
        AssertRefused(refused, HttpStatusCode.BadRequest, ReasonCodes.UnknownJurisdiction);
        Assert.Empty(await _host.GetJsonAsync<JsonElement[]>("/supervision/cases"));
    }

    private async Task<string> DesignateAsync(string lastName)
    {
        var payload = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
        payload["identity"]!["lastName"] = lastName;
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("jap-75", IngressTypeNames.DesignatePerson, payload)).Status);
        var person = "";
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = _host.App.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
                var known = await db.Vault.Select(v => v.Person).ToListAsync();
                var cases = await _host.GetJsonAsync<JsonElement[]>("/supervision/cases");
                person =
                    cases
                        .Select(c => c.GetProperty("person").GetString()!)
                        .FirstOrDefault(p => known.Any(k => k.Value == p) && !_seen.Contains(p))
                    ?? "";
                return person != "";
            },
            "the case opened"
        );
        _seen.Add(person);
        return person;
    }

    private readonly HashSet<string> _seen = [];

    private async Task DesignateAgainAsync(string lastName, string person)
    {
        var payload = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
        payload["identity"]!["lastName"] = lastName;
        // The door hears of the end from Supervision's fact: until then it refuses (designation-conflict, not final), and the same message
        // is sent again.
        var messageId = Guid.NewGuid();
        var answers = new List<string?>();
        await Poller.UntilAsync(
            async () =>
            {
                var (status, body) = await SendAsync("jap-75", IngressTypeNames.DesignatePerson, payload, messageId);
                answers.Add(body.TryGetProperty("reasonCode", out var code) ? code.GetString() : status.ToString());
                return status == HttpStatusCode.Accepted;
            },
            "the designation accepted once the door knows the case ended"
        );
        Assert.All(answers.SkipLast(1), a => Assert.Equal(Coordination.Contracts.ReasonCodes.DesignationConflict, a));
        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person}")).Any(c =>
                    c.GetProperty("status").GetString() == "open"
                ),
            "the later case opened under the same reference"
        );
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
                        a.Partner == partner && a.Person == Coordination.Contracts.Values.PersonRef.Parse(person)
                    );
            },
            $"the gateway knows {partner} follows the person"
        );
    }

    /// <summary>Whether <paramref name="consumer"/> has handled a message: its inbox entry is committed with its effect.</summary>
    private async Task<bool> HandledAsync<TContext>(Type consumer)
        where TContext : Coordination.ServiceDefaults.Outbox.ServiceDbContext
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TContext>().InboxEntries.AnyAsync(e => e.Consumer == consumer.FullName);
    }

    private async Task<int> AssignmentsAsync(string person)
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>()
            .PartnerAssignments.CountAsync(a => a.Person == Coordination.Contracts.Values.PersonRef.Parse(person));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(
        string principal,
        string type,
        JsonObject payload,
        Guid? messageId = null
    )
    {
        using var agency = _host.ClientFor(DemoPrincipals.Named(principal));
        return await AgencyClient.PostAsync(agency, AgencyClient.Envelope(type, payload, "75", "2026-04-02T10:00:00+02:00", messageId));
    }

    private async Task<JsonElement> CaseAsync(string person) =>
        (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{person}"))[0];

    private async Task<JsonElement[]> PictureAsync() =>
        (await _host.GetJsonAsync<JsonElement>("/court-reporting/jurisdictions/tj-paris"))
            .GetProperty("openCases")
            .EnumerateArray()
            .ToArray();

    private Task<JsonElement[]> ReportsAsync() => _host.GetJsonAsync<JsonElement[]>("/court-reporting/reports?jurisdiction=tj-paris");

    private static (int Planned, int Done, int Missed, int Incidents) Figures(JsonElement report)
    {
        var f = report.GetProperty("figures");
        return (
            f.GetProperty("controlsPlanned").GetInt32(),
            f.GetProperty("controlsDone").GetInt32(),
            f.GetProperty("controlsMissed").GetInt32(),
            f.GetProperty("incidents").GetInt32()
        );
    }
}
