using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Domain;

/// <summary>Gives each demo territory its demo règlement intérieur at first start, through the same audit as an adoption.</summary>
public sealed class DemoRulesSeeder(
    IServiceScopeFactory scopes,
    IOptions<GatewayOptions> options,
    IHostEnvironment environment,
    TimeProvider clock
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.SeedDemoRules ?? environment.IsDevelopment()))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        foreach (var territory in DemoPrincipals.Territories.Select(TerritoryCode.Parse))
        {
            if (await db.SharingRules.AnyAsync(v => v.Territory == territory, cancellationToken))
                continue;
            var now = clock.GetUtcNow();
            var version = SharingRulesVersion.Adopt(territory, 1, now, now, "demo-seed", ["demo working group"], DemoSharingRules.Rules);
            db.SharingRules.Add(version);
            try
            {
                await audit.AppendAndSaveAsync(
                    new AuditRecord(
                        NewId.NextGuid(),
                        AuditKind.RulesAdopted,
                        "demo-seed",
                        null,
                        null,
                        DemoSharingRules.Rules.Select(r => ClosedList<DataCategory>.WordOf(r.Category)).Distinct().ToList(),
                        [$"sharing-rules:{territory.Value}:v1"],
                        1,
                        "adopted",
                        "demo rules"
                    ),
                    cancellationToken
                );
            }
            catch (DbUpdateException)
            {
                // Another gateway instance starting at the same time adopted version 1 first: theirs stands.
                db.ChangeTracker.Clear();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
