using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
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
/// What real data reaches against the columns SQL Server would hold it in (SQLite here, held to the
/// same limits before every write): a court report naming many persons, a type name as long as a sender likes.
/// </summary>
public sealed class ServerLimitsTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_court_report_naming_thirty_designated_persons_is_released_and_its_audit_verifies()
    {
        // Their references alone are past the 1000 characters the audit's column once held.
        using (var jap = _host.ClientFor(DemoPrincipals.Named("jap-75")))
            for (var i = 0; i < 30; i++)
            {
                var designation = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson);
                designation["messageId"] = Guid.NewGuid().ToString();
                designation["payload"]!["identity"]!["birthDate"] = new DateOnly(1980, 1, 1).AddDays(i).ToString("yyyy-MM-dd");
                Assert.Equal(
                    HttpStatusCode.Accepted,
                    (await AgencyClient.PostAsync(jap, IngressTypeNames.DesignatePerson, designation.ToJsonString())).StatusCode
                );
            }
        List<PersonRef> people;
        using (var scope = _host.App.Services.CreateScope())
            people = await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Vault.Select(v => v.Person).ToListAsync();
        Assert.Equal(30, people.Count);

        var messageId = NewId.NextGuid();
        var keys = _host.App.Services.GetRequiredService<SealingKeyStore>();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse("75"),
            Purpose = "court-reporting",
            Categories = [DataCategory.CourtReport],
            Recipients = ["75-jap"],
            Jurisdiction = "tj-paris",
            People = people,
            Payload = PayloadSealer.Seal("""{"court-report":{}}"""u8.ToArray(), keys.CurrentKeyOf("gateway"), "court-reporting", messageId),
        };
        await _host.SendReleaseRequestAsync("court-reporting", request, messageId);

        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        JsonElement? decision = null;
        await Poller.UntilAsync(
            async () =>
            {
                decision = (await auditor.GetFromJsonAsync<JsonElement[]>("/audit?limit=1000"))!
                    .Where(e => e.GetProperty("references").GetString()!.Contains($"release:{request.ReleaseId}"))
                    .Cast<JsonElement?>()
                    .FirstOrDefault();
                return decision is not null;
            },
            "the decision on the court report",
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(
            ("released", "granted"),
            (decision!.Value.GetProperty("outcome").GetString(), decision.Value.GetProperty("reason").GetString())
        );
        var references = decision.Value.GetProperty("references").GetString()!;
        Assert.True(references.Length > 1000, "the references are past the old column's 1000 characters");
        Assert.All(people, p => Assert.Contains($"person:{p.Value}", references));
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_message_whose_type_is_longer_than_any_type_is_refused_as_unknown_not_failed()
    {
        var longType = new string('a', 120) + ".b";
        var message = IngressOverHttpTests.Example(IngressTypeNames.DesignatePerson);
        message["messageId"] = Guid.NewGuid().ToString();
        message["type"] = longType;
        using var jap = _host.ClientFor(DemoPrincipals.Named("jap-75"));
        foreach (var address in new[] { IngressTypeNames.DesignatePerson, longType })
        {
            var answer = await AgencyClient.PostAsync(jap, address, message.ToJsonString());
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        }
        using var auditor = _host.ClientFor(DemoPrincipals.Named("auditor"));
        Assert.True((await auditor.GetFromJsonAsync<JsonElement>("/audit/verify")).GetProperty("intact").GetBoolean());
    }
}
