using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Directory;

/// <summary>
/// The demo's directory, registered at first start in Development only (or when <c>Gateway:SeedDemoDirectory</c>
/// says so): the agencies of <see cref="DemoPrincipals"/>, the jurisdictions of <see cref="DemoJurisdictions"/> and the
/// agencies that carry out follow-ups as partners. Elsewhere the directory starts empty and the CDPD secretariat
/// registers its own through <see cref="DirectoryApi"/>. Audited like any registration, as <c>demo-seed</c>.
/// </summary>
public sealed class DemoDirectorySeeder(
    IServiceScopeFactory scopes,
    IOptions<GatewayOptions> options,
    IHostEnvironment environment,
    TimeProvider clock
) : IHostedService
{
    public const string Seeder = "demo-seed";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.SeedDemoDirectory ?? environment.IsDevelopment()))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        if (await db.Agencies.AnyAsync(cancellationToken))
            return;

        var now = clock.GetUtcNow();
        var references = new List<string>();
        foreach (var principal in DemoPrincipals.All.Where(p => p.Kind == PrincipalKind.AgencySystem && p.Agency is not null))
        {
            db.Agencies.Add(
                new RegisteredAgency
                {
                    Account = principal.Agency!,
                    Role = principal.Role,
                    Territories = string.Join(',', principal.Territories.Order()),
                    Name = principal.Name,
                    RegisteredAt = now,
                    RegisteredBy = Seeder,
                }
            );
            references.Add($"agency:{principal.Agency}");
            if (Supervision.PartnerRoleOf(principal.Role) is { } role)
            {
                var partner = new RegisteredPartner
                {
                    Id = principal.Agency!,
                    Territory = TerritoryCode.Parse(principal.Territories.Single()),
                    Role = role,
                    Name = principal.Name,
                    RegisteredAt = now,
                    RegisteredBy = Seeder,
                };
                db.Partners.Add(partner);
                references.Add($"partner:{partner.Id}");
                db.PublishOnCommit(
                    new PartnerDirectoryChanged
                    {
                        Partner = partner.Id,
                        Territory = partner.Territory,
                        Role = role,
                        Name = partner.Name,
                        Retired = false,
                        ChangedAt = now,
                        ChangedBy = Seeder,
                    }
                );
            }
        }
        foreach (var jurisdiction in DemoJurisdictions.All)
        {
            var entry = new RegisteredJurisdiction
            {
                Id = jurisdiction.Id,
                Name = jurisdiction.Name,
                Territory = jurisdiction.Territory,
                SentenceEnforcementCourt = jurisdiction.SentenceEnforcementCourt,
                ProbationService = jurisdiction.ProbationService,
                RegisteredAt = now,
                RegisteredBy = Seeder,
            };
            db.Jurisdictions.Add(entry);
            db.PublishOnCommit(entry.Changed(now, Seeder));
            references.Add($"jurisdiction:{jurisdiction.Id}");
        }
        try
        {
            await audit.AppendAndSaveAsync(
                new AuditRecord(
                    NewId.NextGuid(),
                    AuditKind.DirectoryRegistered,
                    Seeder,
                    null,
                    null,
                    [],
                    references,
                    null,
                    "registered",
                    "demo directory"
                ),
                cancellationToken
            );
        }
        catch (DbUpdateException)
        {
            // Another gateway instance starting at the same time seeded it first: theirs stands.
            db.ChangeTracker.Clear();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static class Supervision
    {
        public static PartnerRole? PartnerRoleOf(PrincipalRole role) =>
            role switch
            {
                PrincipalRole.PenitentiaryAdministration => PartnerRole.PenitentiaryAdministration,
                PrincipalRole.StateService => PartnerRole.StateService,
                PrincipalRole.LocalAuthority => PartnerRole.LocalAuthority,
                PrincipalRole.Association => PartnerRole.Association,
                PrincipalRole.OtherPublicOrPrivatePerson => PartnerRole.OtherPublicOrPrivatePerson,
                _ => null,
            };
    }
}
