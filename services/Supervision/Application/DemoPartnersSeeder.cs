using Coordination.Contracts.Supervision;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision.Application;

/// <summary>Registers the demo agencies that carry out follow-ups as partners of their territory, once.</summary>
public sealed class DemoPartnersSeeder(
    IServiceScopeFactory scopes,
    IOptions<SupervisionOptions> options,
    IHostEnvironment environment,
    TimeProvider clock
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.SeedDemoPartners ?? environment.IsDevelopment()))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SupervisionDbContext>();
        foreach (var principal in ServiceDefaults.Security.DemoPrincipals.All)
        {
            if (principal.Agency is null || PartnerRoles.Of(principal.Role) is not { } role)
                continue;
            if (await db.Partners.AnyAsync(p => p.Id == principal.Agency, cancellationToken))
                continue;
            db.Partners.Add(
                new Partner
                {
                    Id = principal.Agency,
                    Territory = Contracts.Values.TerritoryCode.Parse(principal.Territories.Single()),
                    Role = role,
                    Name = principal.Name,
                    RegisteredAt = clock.GetUtcNow(),
                    RegisteredBy = "demo-seed",
                }
            );
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        { /* another instance seeded them first */
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class PartnerRoles
{
    public static PartnerRole? Of(ServiceDefaults.Security.PrincipalRole role) =>
        role switch
        {
            ServiceDefaults.Security.PrincipalRole.PenitentiaryAdministration => PartnerRole.PenitentiaryAdministration,
            ServiceDefaults.Security.PrincipalRole.StateService => PartnerRole.StateService,
            ServiceDefaults.Security.PrincipalRole.LocalAuthority => PartnerRole.LocalAuthority,
            ServiceDefaults.Security.PrincipalRole.Association => PartnerRole.Association,
            ServiceDefaults.Security.PrincipalRole.OtherPublicOrPrivatePerson => PartnerRole.OtherPublicOrPrivatePerson,
            _ => null,
        };
}
