using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The person's file: what was shared about one person, with whom, under which rules version, for an
/// auditor, as JSON and as a printable PDF, read from the audit chain, and the request itself audited.
/// </summary>
public sealed class PersonFileTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Canary = "CANARY-Thenardier";
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_auditor_gets_exactly_the_releases_and_denials_about_the_person_as_json_and_pdf_and_the_request_is_audited()
    {
        var person = await DesignateAsync();
        var other = await DesignateAsync();
        await _host.AssignPartnerAsync(person, "75-association");
        await _host.AssignPartnerAsync(person, "75-prison-administration");
        await _host.AssignPartnerAsync(other, "75-prison-administration");
        // The scenario: one release about the person to four recipients, another about someone else.
        var about = await ReleaseAsync(person, ["75-association", "75-prison-administration", "93-association", "a-journalist"]);
        var notAbout = await ReleaseAsync(other, ["75-prison-administration"]);
        await DecisionsAsync(about, 4);
        await DecisionsAsync(notAbout, 1);

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var started = DateTime.UtcNow;
        var file = await auditor.GetFromJsonAsync<JsonElement>($"/persons/{person.Value}/file");
        output.WriteLine($"person's file (JSON): {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms");
        Assert.Equal(person.Value, file.GetProperty("person").GetString());
        var entries = file.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            [
                ("75-association", "released", "partly-granted", "contact-details,control-plan"),
                ("75-jap", "released", "granted", "designation-receipt"),
                ("75-prison-administration", "released", "granted", "circumstances-of-offence,contact-details,control-plan"),
                ("93-association", "denied", "not-assigned-to-case", "circumstances-of-offence,contact-details,control-plan"),
                ("a-journalist", "denied", "third-party", "circumstances-of-offence,contact-details,control-plan"),
            ],
            entries
                .Select(e =>
                    (
                        e.GetProperty("recipient").GetString(),
                        e.GetProperty("outcome").GetString(),
                        e.GetProperty("reason").GetString(),
                        string.Join(',', e.GetProperty("categories").EnumerateArray().Select(c => c.GetString()).Order())
                    )
                )
                .OrderBy(e => e.Item1)
        );
        // The JAP's receipt is its own release (Supervision's, on the case it opened): the scenario's one is about the four.
        Assert.All(
            entries.Where(e => e.GetProperty("recipient").GetString() != "75-jap"),
            e =>
            {
                Assert.Equal("community-supervision", e.GetProperty("purpose").GetString());
                Assert.Equal("supervision", e.GetProperty("requester").GetString());
                Assert.Equal(about, e.GetProperty("releaseId").GetGuid());
                Assert.True(e.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            }
        );
        // The rules version is the one in force: the demo's first, for those the rules decided on.
        Assert.All(
            entries.Where(e => e.GetProperty("outcome").GetString() == "released"),
            e => Assert.Equal(1, e.GetProperty("rulesVersion").GetInt32())
        );
        Assert.DoesNotContain(Canary, file.GetRawText());
        Assert.DoesNotContain("Martin", file.GetRawText());

        // The documented example has the same shape as the answer.
        var example = JsonNode
            .Parse(await File.ReadAllTextAsync(Repository.File("docs", "examples", "person-file", "person-file.json")))!
            .AsObject();
        Assert.Equal(example.Select(p => p.Key).Order(), file.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(
            example["entries"]![0]!.AsObject().Select(p => p.Key).Order(),
            entries[0].EnumerateObject().Select(p => p.Name).Order()
        );

        started = DateTime.UtcNow;
        var pdfAnswer = await auditor.GetAsync($"/persons/{person.Value}/file.pdf");
        Assert.Equal(HttpStatusCode.OK, pdfAnswer.StatusCode);
        Assert.Equal("application/pdf", pdfAnswer.Content.Headers.ContentType?.MediaType);
        var pdf = await pdfAnswer.Content.ReadAsByteArrayAsync();
        output.WriteLine($"person's file (PDF): {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms, {pdf.Length} bytes");
        Assert.Equal("%PDF", Encoding.ASCII.GetString(pdf, 0, 4));
        var text = TextOf(pdf);
        Assert.Contains(person.Value, text);
        foreach (var recipient in new[] { "75-association", "75-prison-administration", "93-association", "a-journalist" })
            Assert.Contains($"to {recipient}", text);
        Assert.Contains("DENIED (third-party)", text);
        Assert.Contains("rules version 1", text);
        Assert.DoesNotContain(other.Value, text);
        Assert.DoesNotContain(Canary, text);
        Assert.DoesNotContain(Canary, Encoding.Latin1.GetString(pdf));

        // Both requests are in the chain, naming the person and the form, and the chain holds.
        var audit = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
            .Where(e => e.GetProperty("kind").GetString() == "person-file-requested")
            .ToList();
        Assert.Equal(
            [$"person:{person.Value},format:json,entries:5", $"person:{person.Value},format:pdf,entries:5"],
            audit.Select(e => e.GetProperty("references").GetString())
        );
        Assert.All(audit, e => Assert.Equal("auditor", e.GetProperty("source").GetString()));
        Assert.Equal(audit[0].GetProperty("sequence").GetInt64(), file.GetProperty("requestAuditSequence").GetInt64());
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task Only_auditors_may_ask_and_a_malformed_reference_is_a_problem()
    {
        var person = PersonRef.New(TerritoryCode.Parse("75"));
        foreach (var caller in new[] { "secretariat-75", "security-staff-75", "jap-75", "association-75" })
        {
            using var client = _host.ClientFor(DemoPrincipals.Named(caller));
            foreach (var path in new[] { $"/persons/{person.Value}/file", $"/persons/{person.Value}/file.pdf" })
            {
                var answer = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            }
        }
        using (var anonymous = _host.ClientFor(null))
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/persons/{person.Value}/file")).StatusCode);

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        var bad = await auditor.GetAsync("/persons/not-a-person/file");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid-field", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reasonCode").GetString());
        // Nobody was answered: no request is in the chain. A person with no decision gets an empty file.
        Assert.DoesNotContain(
            (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!,
            e => e.GetProperty("kind").GetString() == "person-file-requested"
        );
        Assert.Empty(
            (await auditor.GetFromJsonAsync<JsonElement>($"/persons/{person.Value}/file")).GetProperty("entries").EnumerateArray()
        );
    }

    private static string TextOf(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join('\n', document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))));
    }

    private async Task<Guid> ReleaseAsync(PersonRef person, IReadOnlyList<string> recipients)
    {
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var messageId = NewId.NextGuid();
        var contents = new JsonObject
        {
            ["control-plan"] = new JsonObject { ["nextControl"] = "2026-04-08" },
            ["circumstances-of-offence"] = Canary,
        };
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "community-supervision",
            Categories = [DataCategory.ContactDetails, DataCategory.ControlPlan, DataCategory.CircumstancesOfOffence],
            Recipients = recipients,
            Person = person,
            Payload = PayloadSealer.Seal(
                Encoding.UTF8.GetBytes(contents.ToJsonString()),
                keys.CurrentKeyOf("gateway"),
                "community-supervision",
                messageId
            ),
        };
        await _host.SendReleaseRequestAsync("supervision", request, messageId);
        return request.ReleaseId;
    }

    private async Task DecisionsAsync(Guid releaseId, int expected)
    {
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        await Poller.UntilAsync(
            async () =>
                (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!.Count(e =>
                    e.GetProperty("references").GetString()!.Contains($"release:{releaseId}")
                ) == expected,
            $"{expected} decisions on release {releaseId}"
        );
    }

    private async Task<PersonRef> DesignateAsync()
    {
        var designation = IngressOverHttpTests.Example("supervision.designate-person");
        designation["messageId"] = Guid.NewGuid().ToString();
        designation["payload"]!["identity"]!["lastName"] = $"{Canary}-{Guid.NewGuid():N}";
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            Assert.Equal(
                HttpStatusCode.Accepted,
                (await AgencyClient.PostAsync(jap, "supervision.designate-person", designation.ToJsonString())).StatusCode
            );
        await using var scope = _host.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var known = await db.Vault.OrderByDescending(v => v.DesignatedAt).FirstAsync();
        // The JAP's receipt is a release about the person too: it is in the file once Supervision has asked for it.
        var token = $"person:{known.Person.Value}";
        await Poller.UntilAsync(
            async () =>
                await db
                    .Audit.AsNoTracking()
                    .AnyAsync(a =>
                        a.Kind == AuditKind.Released && a.References.Contains(token) && a.Categories.Contains("designation-receipt")
                    ),
            "the designation receipt released"
        );
        return known.Person;
    }
}
