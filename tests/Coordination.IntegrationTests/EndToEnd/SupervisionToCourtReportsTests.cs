using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.IntegrationTests.Messaging;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// One person from designation to purge, on the real broker, with every agency under its own
/// account: the JAP designates, Supervision opens the case, two partners are assigned and informed
/// under the rules, a partner records controls and an incident, the month's report reaches the JAP
/// and SPIP of the jurisdiction (and no one else), the case ends and is purged everywhere.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SupervisionToCourtReportsTests(RabbitMqBroker broker) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 4, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly string _canary = $"Valjean-CANARY-{Guid.NewGuid():N}"[..30];
    private readonly Dictionary<string, List<Delivery>> _received = [];
    private ServiceHost _host = null!;
    private readonly string _prefix = $"e2e{Guid.NewGuid():N}"[..8] + "-";

    private static readonly string[] Agencies = DemoPrincipals.All.Where(p => p.Agency is not null).Select(p => p.Agency!).ToArray();

    public async Task InitializeAsync()
    {
        await broker.LoadDefinitionsAsync(BrokerPermissionsTests.DefinitionsPath());
        await EmptyAgencyBoxesAsync();
        _spans = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
                _spanText.Enqueue(
                    $"{a.DisplayName}|{string.Join(";", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}|"
                        + $"{string.Join(";", a.Events.Select(e => e.Name))}"
                ),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_spans);
        _host = await ServiceHost.StartAllInOneAsync(
            b =>
            {
                b.Services.AddSingleton<TimeProvider>(_clock);
                b.Logging.AddFakeLogging();
            },
            // Queues of its own: messages other tests' hosts left in the shared queues (a designation, a case opened) are not this story's.
            $"--Messaging:QueuePrefix={_prefix}",
            "--Logging:LogLevel:Default=Debug",
            "--Messaging:Transport=RabbitMq",
            $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
            "--Messaging:RetryIntervalMilliseconds=100",
            "--Supervision:RetentionPeriod=30.00:00:00",
            "--Supervision:RetentionPollInterval=00:01:00",
            "--CourtReporting:DeadlinePollInterval=00:01:00"
        );
    }

    private System.Diagnostics.ActivityListener? _spans;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _spanText = new();

    public async Task DisposeAsync()
    {
        _spans?.Dispose();
        await _host.DisposeAsync();
        await EmptyAgencyBoxesAsync();
    }

    /// <summary>The agencies' queues outlive every host on this broker: each test starts from, and leaves, empty boxes.</summary>
    private Task EmptyAgencyBoxesAsync() => MailboxReader.EmptyAsync(broker, Agencies);

    [Fact]
    public async Task A_designated_person_is_followed_reported_to_the_jap_and_spip_of_the_jurisdiction_only_and_purged()
    {
        // One story, told in order: each step asserts what it brings about and hands the next the person, the plan and the report.
        await TheJapDesignatesAndSupervisionOpensTheCase();
        await TwoPartnersAreAssignedAndAPlanOfThreeControlsIsMade();
        await EachPartnerIsInformedWithItsOwnCategoriesOnly();
        await TheAssociationRecordsControlsAndAnIncidentAndThePoliceIsRefused();
        await TheMonthsReportReachesTheJapAndSpipOfParis();
        await NobodyElseGetsTheParisReport();
        await TheReportIsOneWay();
        await TheMeasureEndsAndNothingOfThePersonRemains();
        await TheJapCanNoLongerReachThePerson();
    }

    // The story's state, shared by its steps.
    private string _person = "";
    private Guid[] _controls = [];
    private Guid _parisReport;

    /// <summary>The JAP designates on the AMQP door; Supervision opens the case.</summary>
    private async Task TheJapDesignatesAndSupervisionOpensTheCase()
    {
        var designation = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson)["payload"]!.AsObject();
        designation["identity"]!["lastName"] = _canary;
        await SendAsync("75-jap", IngressTypeNames.DesignatePerson, designation);
        await Poller.UntilAsync(
            async () =>
            {
                var cases = await _host.GetJsonAsync<JsonElement[]>("/supervision/cases");
                _person = cases.SingleOrDefault(c => c.GetProperty("status").GetString() == "open")
                    is { ValueKind: JsonValueKind.Object } open
                    ? open.GetProperty("person").GetString()!
                    : "";
                return _person != "";
            },
            "the case opened"
        );
    }

    /// <summary>Two partners assigned, a plan of three controls for the association.</summary>
    private async Task TwoPartnersAreAssignedAndAPlanOfThreeControlsIsMade()
    {
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostAsync($"/supervision/cases/{_person}/partners", new { partner = "75-prison-administration" })).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await PostAsync($"/supervision/cases/{_person}/partners", new { partner = "75-association" })).StatusCode
        );
        _controls = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        for (var i = 0; i < 3; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (
                    await PostAsync(
                        $"/supervision/cases/{_person}/controls",
                        new
                        {
                            partner = "75-association",
                            scheduledFor = new DateOnly(2026, 4, 8 + 7 * i),
                            controlId = _controls[i],
                        }
                    )
                ).StatusCode
            );
    }

    /// <summary>Each partner informed with its own categories only: the association never gets identity or grounds.</summary>
    private async Task EachPartnerIsInformedWithItsOwnCategoriesOnly()
    {
        await Poller.UntilAsync(
            async () =>
            {
                await DrainAsync("75-prison-administration", "75-association");
                return InboxOf("75-prison-administration").Any(d => d.Categories.Contains("identity"))
                    && InboxOf("75-association").Any(d => d.Categories.Contains("contact-details"))
                    && InboxOf("75-association").Any(d => Open(d, "75-association")["control-plan"]!.AsArray().Count == 3);
            },
            "both partners informed, the association of the whole plan"
        );
        var prison = InboxOf("75-prison-administration").First(d => d.Categories.Contains("identity"));
        Assert.Equal(["identity", "contact-details", "designation-grounds", "control-plan", "support-actions"], prison.Categories);
        var prisonFile = Open(prison, "75-prison-administration");
        Assert.Equal(_canary, prisonFile["identity"]!["lastName"]!.GetValue<string>());
        Assert.Equal(["personality", "social-situation"], prisonFile["designation-grounds"]!.AsArray().Select(g => g!.GetValue<string>()));
        foreach (var delivery in InboxOf("75-association"))
        {
            Assert.Equal("supervision.case-information", delivery.Type);
            Assert.All(delivery.Categories, c => Assert.Contains(c, new[] { "contact-details", "control-plan", "support-actions" }));
            var file = Open(delivery, "75-association");
            Assert.Null(file["identity"]);
            Assert.Null(file["designation-grounds"]);
            Assert.DoesNotContain(_canary, file.ToJsonString());
        }
    }

    /// <summary>The association records two controls, one of them missed, and an incident; the police, not assigned, is refused.</summary>
    private async Task TheAssociationRecordsControlsAndAnIncidentAndThePoliceIsRefused()
    {
        await Poller.UntilAsync(async () => await CountAssignmentsAsync(_person) == 2, "the gateway knows the assignments");
        _clock.SetUtcNow(new DateTimeOffset(2026, 4, 23, 9, 0, 0, TimeSpan.Zero));
        await SendAsync(
            "75-association",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = _person,
                ["controlId"] = _controls[0].ToString(),
                ["controlledOn"] = "2026-04-08",
                ["outcome"] = "compliant",
            }
        );
        await SendAsync(
            "75-association",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = _person,
                ["controlId"] = _controls[1].ToString(),
                ["controlledOn"] = "2026-04-15",
                ["outcome"] = "missed",
            }
        );
        await SendAsync(
            "75-association",
            IngressTypeNames.ReportIncident,
            new JsonObject
            {
                ["personRef"] = _person,
                ["incidentId"] = Guid.NewGuid().ToString(),
                ["kind"] = "breach-of-obligation",
                ["severity"] = "significant",
                ["occurredAt"] = "2026-04-16T21:30:00+02:00",
            }
        );
        var intruder = await SendAsync(
            "75-police",
            IngressTypeNames.RecordControl,
            new JsonObject
            {
                ["personRef"] = _person,
                ["controlId"] = _controls[2].ToString(),
                ["controlledOn"] = "2026-04-22",
                ["outcome"] = "compliant",
            }
        );
        await Poller.UntilAsync(
            async () =>
            {
                var view = (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{_person}"))[0];
                return view.GetProperty("controls").EnumerateArray().Count(c => c.GetProperty("outcome").ValueKind == JsonValueKind.String)
                        == 2
                    && view.GetProperty("incidents").GetArrayLength() == 1;
            },
            "the controls and the incident on the case"
        );
        await AssertRejectedAsync("75-police", intruder, ReasonCodes.NotAssignedToCase);
        var caseView = (await _host.GetJsonAsync<JsonElement[]>($"/supervision/cases/{_person}"))[0];
        Assert.Null(
            caseView
                .GetProperty("controls")
                .EnumerateArray()
                .Single(c => c.GetProperty("id").GetGuid() == _controls[2])
                .GetProperty("outcome")
                .GetString()
        );
    }

    /// <summary>The month ends: the report of tj-paris, with the right figures, to the JAP and SPIP of Paris.</summary>
    private async Task TheMonthsReportReachesTheJapAndSpipOfParis()
    {
        await Poller.UntilAsync(
            async () =>
                (await _host.GetJsonAsync<JsonElement>("/court-reporting/jurisdictions/tj-paris"))
                    .GetProperty("openCases")
                    .EnumerateArray()
                    .Any(c => c.GetProperty("controlsMissed").GetInt32() == 1 && c.GetProperty("incidents").GetInt32() == 1),
            "the jurisdiction's picture up to date"
        );
        _clock.SetUtcNow(new DateTimeOffset(2026, 5, 1, 0, 5, 0, TimeSpan.Zero));
        JsonElement[] reports = [];
        await Poller.UntilAsync(
            async () => (reports = await _host.GetJsonAsync<JsonElement[]>("/court-reporting/reports?jurisdiction=tj-paris")).Length > 0,
            "the monthly report"
        );
        var summary = Assert.Single(reports);
        Assert.Equal(
            (1, "2026-04-01", "2026-04-30", "periodic"),
            (
                summary.GetProperty("number").GetInt32(),
                summary.GetProperty("periodStart").GetString(),
                summary.GetProperty("periodEnd").GetString(),
                summary.GetProperty("trigger").GetString()
            )
        );
        var figures = summary.GetProperty("figures");
        Assert.Equal(
            (1, 3, 1, 1, 1),
            (
                figures.GetProperty("openCases").GetInt32(),
                figures.GetProperty("controlsPlanned").GetInt32(),
                figures.GetProperty("controlsDone").GetInt32(),
                figures.GetProperty("controlsMissed").GetInt32(),
                figures.GetProperty("incidents").GetInt32()
            )
        );
        _parisReport = summary.GetProperty("id").GetGuid();

        foreach (var court in new[] { "75-jap", "75-spip" })
        {
            await Poller.UntilAsync(
                async () =>
                {
                    await DrainAsync(court);
                    return InboxOf(court).Any(d => d.Type == "court-reporting.report");
                },
                $"the report in {court}'s inbox"
            );
            var delivery = InboxOf(court).Single(d => d.Type == "court-reporting.report");
            Assert.Equal(_parisReport, delivery.ReleaseId);
            var opened = Open(delivery, court, "court-reporting");
            var report = opened["court-report"]!;
            Assert.Equal(("tj-paris", 1), (report["jurisdiction"]!.GetValue<string>(), report["number"]!.GetValue<int>()));
            Assert.Equal(1, report["figures"]!["controlsMissed"]!.GetValue<int>());
            var line = Assert.Single(report["cases"]!.AsArray());
            Assert.Equal(_person, line!["person"]!.GetValue<string>());
            Assert.Equal(_canary, opened["identities"]![_person]!["lastName"]!.GetValue<string>());
        }
    }

    /// <summary>Nobody else: 93's courts get Bobigny's own report (without this person), every other agency none.</summary>
    private async Task NobodyElseGetsTheParisReport()
    {
        await DrainAsync(Agencies);
        foreach (var agency in Agencies)
        foreach (var report in InboxOf(agency).Where(d => d.Type == "court-reporting.report"))
        {
            Assert.Contains(agency, new[] { "75-jap", "75-spip", "93-jap", "93-spip" });
            if (agency.StartsWith("93-", StringComparison.Ordinal))
            {
                Assert.NotEqual(_parisReport, report.ReleaseId);
                Assert.DoesNotContain(_person, Open(report, agency, "court-reporting").ToJsonString());
            }
        }
    }

    /// <summary>
    /// One-way: the SPIP cannot amend the report; an operator of 93 cannot have Paris's report issued; the gateway refuses a Paris report
    /// to Bobigny's JAP.
    /// </summary>
    private async Task TheReportIsOneWay()
    {
        var amendment = await SendAsync(
            "75-spip",
            IngressTypeNames.AmendReport,
            new JsonObject
            {
                ["jurisdiction"] = "tj-paris",
                ["reportNumber"] = 1,
                ["changes"] = "Retirer l'incident.",
            }
        );
        await AssertRejectedAsync("75-spip", amendment, ReasonCodes.ForbiddenInboundFlow);
        var unchanged = await _host.GetJsonAsync<JsonElement>("/court-reporting/reports/tj-paris/1");
        Assert.Equal(1, unchanged.GetProperty("figures").GetProperty("incidents").GetInt32());
        Assert.Single(await _host.GetJsonAsync<JsonElement[]>("/court-reporting/reports?jurisdiction=tj-paris"));

        using (var bobigny = _host.ClientFor(DemoPrincipals.Named("secretariat-93")))
            Assert.Equal(
                HttpStatusCode.Forbidden,
                (await bobigny.PostAsync("/court-reporting/jurisdictions/tj-paris/reports", null)).StatusCode
            );
        await Poller.UntilAsync(
            async () =>
                await InScopeAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext, bool>(db =>
                    db.AccessLog.AnyAsync(e =>
                        e.Principal == "secretariat-93" && e.RecordRef == "jurisdiction:tj-paris" && e.Outcome == "denied"
                    )
                ),
            "the refused request in the access log"
        );
        var misdirected = await ReleaseCourtReportAsync("tj-paris", ["93-jap"]);
        await Poller.UntilAsync(
            async () =>
                (await AuditAsync()).Any(e =>
                    e.GetProperty("references").GetString()!.Contains($"release:{misdirected}")
                    && e.GetProperty("recipient").GetString() == "93-jap"
                    && e.GetProperty("reason").GetString() == "outside-jurisdiction"
                ),
            "the misdirected report denied and audited"
        );
    }

    /// <summary>The measure ends; the retention period passes; nothing of the person remains.</summary>
    private async Task TheMeasureEndsAndNothingOfThePersonRemains()
    {
        var ended = await PostAsync($"/supervision/cases/{_person}/end", new { reason = "end-of-measure" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(
            "2026-05-31T00:05:00+00:00",
            (await ended.Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("purgeDueAt")
                .GetDateTimeOffset()
                .ToString("yyyy-MM-ddTHH:mm:sszzz")
        );
        await Poller.UntilAsync(
            async () => await CountAssignmentsAsync(_person) == 0,
            "the gateway no longer accepts the partners' messages"
        );
        _clock.SetUtcNow(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await Poller.UntilAsync(
            async () => (await _host.Http.GetAsync($"/supervision/cases/{_person}")).StatusCode == HttpStatusCode.Forbidden,
            "the case purged"
        );
        await Poller.UntilAsync(
            async () =>
                !await InScopeAsync<Coordination.Gateway.Persistence.GatewayDbContext, bool>(db =>
                    db.Vault.AnyAsync(v => v.Person == Coordination.Contracts.Values.PersonRef.Parse(_person))
                ),
            "the vault entry purged"
        );
        await Poller.UntilAsync(
            async () =>
                !await InScopeAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext, bool>(db =>
                    db.Cases.AnyAsync(c => c.Person == Coordination.Contracts.Values.PersonRef.Parse(_person))
                ),
            "the court-reporting picture purged"
        );

        await InScopeAsync<Coordination.Supervision.Persistence.SupervisionDbContext, bool>(async db =>
        {
            Assert.Empty(await db.Cases.ToListAsync());
            Assert.Equal(0, await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS Value FROM Controls").SingleAsync());
            Assert.Equal(0, await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS Value FROM Incidents").SingleAsync());
            Assert.Equal(0, await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS Value FROM CaseAssignments").SingleAsync());
            return true;
        });
        await InScopeAsync<Coordination.Gateway.Persistence.GatewayDbContext, bool>(async db =>
        {
            Assert.Equal(0, await CountAssignmentsAsync(_person));
            var left = await db.Set<Coordination.Gateway.Domain.AgencyDelivery>()
                .Where(d => d.Body.Contains(_person))
                .Select(d => d.Type + " " + d.CreatedAt + " " + d.Body.Substring(0, 300))
                .ToListAsync();
            Assert.True(left.Count == 0, string.Join("\n", left));
            return true;
        });
        await InScopeAsync<Coordination.CourtReporting.Persistence.CourtReportingDbContext, bool>(async db =>
        {
            Assert.Empty(await db.Facts.Where(f => f.Jurisdiction == "tj-paris").ToListAsync());
            var kept = await db.Reports.SingleAsync(r => r.Jurisdiction == "tj-paris" && r.Number == 1);
            Assert.Empty(kept.Lines);
            Assert.Equal(1, kept.Figures.ControlsMissed);
            return true;
        });
        // The identity is nowhere on disk: every database file of the host, read as bytes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(_canary, await DatabaseFiles.ReadAllAsync(_host.Folder));
        // Nor in any log line or span attribute of the whole story.
        Assert.DoesNotContain(
            _host.App.Services.GetFakeLogCollector().GetSnapshot(),
            l => (l.Message + l.Exception).Contains(_canary, StringComparison.Ordinal)
        );
        Assert.NotEmpty(_spanText);
        Assert.DoesNotContain(_spanText, s => s.Contains(_canary, StringComparison.Ordinal));
        // Nor in any queue of the platform's services, their error queues included (bodies and headers, read
        // without taking anything away). Agencies' own queues hold what was delivered to them; the
        // unprefixed queues of definitions.json have no consumer in this test and keep copies of what it sent.
        var named = await QueuesNamingAsync(_canary, _person);
        Assert.True(named.Count == 0, string.Join("\n", named));
    }

    /// <summary>...and the JAP can no longer reach the person through the gateway.</summary>
    private async Task TheJapCanNoLongerReachThePerson()
    {
        var late = await SendAsync("75-jap", IngressTypeNames.WithdrawDesignation, new JsonObject { ["personRef"] = _person });
        await AssertRejectedAsync("75-jap", late, ReasonCodes.PersonNotDesignated);
    }

    /// <summary>
    /// Every queue holding a message whose body or headers contain one of <paramref name="values"/>; messages are requeued as found.
    /// </summary>
    private async Task<List<string>> QueuesNamingAsync(params string[] values)
    {
        var found = new List<string>();
        await using var admin = await broker.Connect();
        var queues = (await broker.ListQueuesAsync()).Where(q => q.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        Assert.Contains(queues, q => q.EndsWith("-supervision-purged", StringComparison.Ordinal));
        foreach (var queue in queues)
        {
            // One channel per queue, closed unacknowledged: every message goes back as it was.
            await using var channel = await admin.CreateChannelAsync();
            uint count;
            try
            {
                count = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                continue;
            }
            for (var i = 0; i < count && await channel.BasicGetAsync(queue, autoAck: false) is { } message; i++)
            {
                var text =
                    Encoding.UTF8.GetString(message.Body.Span)
                    + string.Join(
                        ";",
                        (message.BasicProperties.Headers ?? new Dictionary<string, object?>()).Select(h =>
                            $"{h.Key}={(h.Value is byte[] b ? Encoding.UTF8.GetString(b) : h.Value)}"
                        )
                    );
                if (values.Any(v => text.Contains(v, StringComparison.Ordinal)))
                    found.Add($"{queue}: {message.BasicProperties.Type ?? message.BasicProperties.MessageId}");
            }
        }
        return found;
    }

    private sealed record Delivery(QueuedMessage Message, Guid ReleaseId, IReadOnlyList<string> Categories)
    {
        public string Type => Message.Type!;
    }

    private List<Delivery> InboxOf(string agency) => _received.TryGetValue(agency, out var list) ? list : [];

    private async Task DrainAsync(params string[] agencies)
    {
        await using var admin = await broker.Connect();
        await using var channel = await admin.CreateChannelAsync();
        foreach (var agency in agencies)
        {
            if (!_received.ContainsKey(agency))
                _received[agency] = [];
            foreach (var message in await MailboxReader.TakeAllAsync(channel, MailboxReader.InboxQueueOf(agency)))
                _received[agency]
                    .Add(
                        new Delivery(
                            message,
                            message.Body.GetProperty("releaseId").GetGuid(),
                            message.Body.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!).ToList()
                        )
                    );
        }
    }

    private JsonObject Open(Delivery delivery, string agency, string purpose = "community-supervision") =>
        DeliveryOpener.OpenQueued(_host.Keys, agency, delivery.Message, purpose);

    /// <summary>An agency's message on the gateway's AMQP door, under the agency's own broker account, at the story's time.</summary>
    private Task<Guid> SendAsync(string account, string type, JsonObject payload) =>
        AgencyClient.PublishAsync(broker, account, AgencyClient.Envelope(type, payload, account[..2], _clock.GetUtcNow().ToString("O")));

    /// <summary>The refusal in the sender's own rejected queue, and in the audit.</summary>
    private async Task AssertRejectedAsync(string account, Guid messageId, string reasonCode)
    {
        await RejectionAssertions.AssertRefusedOverAmqpAsync(broker, account, messageId, reasonCode);
        RejectionAssertions.AssertRefusalAudited(await AuditAsync(), messageId, reasonCode);
    }

    private async Task<JsonElement[]> AuditAsync()
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        return (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=5000"))!;
    }

    private async Task<Guid> ReleaseCourtReportAsync(string jurisdiction, IReadOnlyList<string> recipients)
    {
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var releaseId = Guid.NewGuid();
        await _host.SendReleaseRequestAsync(
            "court-reporting",
            new ReleaseConfidentialPayload
            {
                ReleaseId = releaseId,
                Territory = Coordination.Contracts.Values.TerritoryCode.Parse("75"),
                Purpose = "court-reporting",
                Categories = [DataCategory.CourtReport],
                Recipients = recipients,
                Jurisdiction = jurisdiction,
                Payload = PayloadSealer.Seal("""{"court-report":{}}"""u8, keys.CurrentKeyOf("gateway"), "court-reporting", messageId),
            },
            messageId
        );
        return releaseId;
    }

    private Task<HttpResponseMessage> PostAsync(string path, object body) => _host.Http.PostAsJsonAsync(path, body);

    private Task<int> CountAssignmentsAsync(string person) =>
        InScopeAsync<Coordination.Gateway.Persistence.GatewayDbContext, int>(db =>
            db.PartnerAssignments.CountAsync(a => a.Person == Coordination.Contracts.Values.PersonRef.Parse(person))
        );

    private async Task<T> InScopeAsync<TContext, T>(Func<TContext, Task<T>> query)
        where TContext : notnull
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TContext>());
    }
}
