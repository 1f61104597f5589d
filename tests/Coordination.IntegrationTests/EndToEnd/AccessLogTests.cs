using System.Net;
using Coordination.Briefings.Persistence;
using Coordination.Contracts.Values;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// The access-log mechanism that every personal-data endpoint declares, shown on an endpoint of the
/// test's own that returns a canary value.
/// </summary>
public sealed class AccessLogTests
{
    private const string Canary = "CANARY-Marie-Curie-1867";

    [Fact]
    public async Task Every_access_to_personal_data_allowed_or_denied_is_recorded_without_the_values()
    {
        await using var host = await ServiceHost.StartBriefingsInMemoryAsync(builder =>
            builder
                .Registry()
                .Endpoints.Add(app =>
                    app.MapGet(
                            "/test/persons/{person}",
                            (string person, System.Security.Claims.ClaimsPrincipal user) =>
                                PersonRef.TryParse(person, out var p) && user.ActsFor(p.Territory)
                                    ? Results.Ok(new { name = Canary })
                                    : Results.Forbid()
                        )
                        .RequireAuthorization(CoordinationPolicies.TerritoryOperator)
                        .RecordsPersonalDataAccess<BriefingsDbContext>("test-case-follow-up", "person")
                )
        );
        var person = PersonRef.New(TerritoryCode.Parse("75")).Value;

        using var paris = host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        using var seineSaintDenis = host.ClientFor(DemoPrincipals.Named("operational-cell-93"));
        using var prosecutor = host.ClientFor(DemoPrincipals.Named("prosecutor-75"));
        using var anonymous = host.ClientFor(null);
        Assert.Contains(Canary, await (await paris.GetAsync($"/test/persons/{person}")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await seineSaintDenis.GetAsync($"/test/persons/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync($"/test/persons/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/test/persons/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await paris.GetAsync("/briefings")).StatusCode);

        using var scope = host.App.Services.CreateScope();
        var log = await scope.ServiceProvider.GetRequiredService<BriefingsDbContext>().AccessLog.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(
            [
                ("operational-cell-75", "allowed", 200),
                ("operational-cell-93", "denied", 403),
                ("prosecutor-75", "denied", 403),
                ("anonymous", "denied", 401),
            ],
            log.Select(e => (e.Principal, e.Outcome, e.StatusCode))
        );
        Assert.All(
            log,
            e =>
            {
                Assert.Equal($"person:{person}", e.RecordRef);
                Assert.Equal("test-case-follow-up", e.Purpose);
                Assert.Equal("/test/persons/{person}", e.Route);
            }
        );
        Assert.DoesNotContain(
            log,
            e => string.Join("|", e.Principal, e.RecordRef, e.Route, e.Purpose, e.Role, e.Kind).Contains("Curie", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task A_call_with_a_record_value_too_long_for_the_log_is_still_recorded_without_that_value()
    {
        await using var host = await ServiceHost.StartBriefingsInMemoryAsync(builder =>
            builder
                .Registry()
                .Endpoints.Add(app =>
                    app.MapGet("/test/persons/{person}", (string person) => Results.NotFound())
                        .RequireAuthorization(CoordinationPolicies.TerritoryOperator)
                        .RecordsPersonalDataAccess<BriefingsDbContext>("test-case-follow-up", "person")
                )
        );
        var typed = Canary + new string('x', AccessLogEntry.RecordRefMaxLength);

        using var anonymous = host.ClientFor(null);
        using var paris = host.ClientFor(DemoPrincipals.Named("operational-cell-75"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/test/persons/{typed}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await paris.GetAsync($"/test/persons/{typed}")).StatusCode);

        using var scope = host.App.Services.CreateScope();
        var log = await scope.ServiceProvider.GetRequiredService<BriefingsDbContext>().AccessLog.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([("anonymous", "denied"), ("operational-cell-75", "not-found")], log.Select(e => (e.Principal, e.Outcome)));
        Assert.All(log, e => Assert.Equal($"person:(not a reference: over {AccessLogEntry.RecordRefMaxLength} characters)", e.RecordRef));
    }
}
