using System.Net;
using Coordination.Gateway.Persistence;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Security;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>
/// Outside the Development environment the development signing key is neither made nor trusted, and
/// dev-token issues nothing (docs/adr/0011-fail-closed-outside-development.md).
/// </summary>
public sealed class AuthorisationOutsideDevelopmentTests
{
    [Fact]
    public async Task A_production_host_with_no_signing_key_refuses_every_token_even_one_signed_by_the_development_key_file()
    {
        var keys = ServiceHost.NewFolder();
        try
        {
            // The development key file is there, where a Development host would read it and trust it.
            var keyFile = Path.Combine(keys, "dev-signing-key.pem");
            var key = SigningKeys.LoadOrCreateDevelopmentKey(keyFile);
            var token = DevelopmentTokens.Issue(ServiceHost.Operator, key, new TokenOptions(), DateTimeOffset.UtcNow);

            await using (
                var production = await ServiceHost.StartAllInOneAsync(
                    null,
                    "--environment=Production",
                    $"--Authentication:DevelopmentKeyFile={keyFile}"
                )
            )
            {
                using var client = production.ClientWithToken(token);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/briefings")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/sharing-rules/75")).StatusCode);
                // Nor one signed by the key at the default place (<Database:Directory>/dev-signing-key.pem), as the tests' client signs.
                Assert.Equal(HttpStatusCode.Unauthorized, (await production.Http.GetAsync("/briefings")).StatusCode);
            }

            // The same token, the same key file, in Development: accepted, so the refusal above is the environment's.
            await using var development = await ServiceHost.StartAllInOneAsync(null, $"--Authentication:DevelopmentKeyFile={keyFile}");
            using var accepted = development.ClientWithToken(token);
            Assert.Equal(HttpStatusCode.OK, (await accepted.GetAsync("/briefings")).StatusCode);
        }
        finally
        {
            ServiceHost.DeleteFolder(keys);
        }
    }

    [Fact]
    public void Dev_token_is_refused_in_production_and_leaves_no_key_behind()
    {
        var folder = ServiceHost.NewFolder();
        try
        {
            // As a production container would run it.
            Assert.NotEqual(
                0,
                CoordinationHost.TryRunCommand(
                    ["dev-token", "secretariat-93", "--environment=Production", $"--Database:Directory={folder}"],
                    Coordination.AllInOne.AllInOneHost.Defaults
                )
            );

            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Directory"] = folder })
                .Build();
            var production = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = Environments.Production };
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, DevelopmentTokens.RunCommand(["secretariat-93"], configuration, production, output, error));
            Assert.Equal("", output.ToString());
            Assert.Contains("only in the Development environment", error.ToString());
            Assert.Contains("'Production'", error.ToString());
            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            ServiceHost.DeleteFolder(folder);
        }
    }
}

/// <summary>Demo sharing rules and demo partners: seeded in the Development demo, in Production only when configured.</summary>
public sealed class AllInOneDemoSeedingTests
{
    private static async Task<(int Rules, int Partners)> Seeded(ServiceHost host)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        return (
            await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().SharingRules.CountAsync(),
            await scope.ServiceProvider.GetRequiredService<SupervisionDbContext>().Partners.CountAsync()
        );
    }

    [Fact]
    public async Task Demo_rules_and_partners_are_not_seeded_in_production_unless_configured()
    {
        await using (var production = await ServiceHost.StartAllInOneAsync(null, "--environment=Production"))
        {
            Assert.Equal((0, 0), await Seeded(production));
            // The directory starts empty: the deployment's secretariat registers its own agencies and jurisdictions.
            await using var scope = production.App.Services.CreateAsyncScope();
            var gateway = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            Assert.Equal(
                (0, 0, 0),
                (await gateway.Agencies.CountAsync(), await gateway.Jurisdictions.CountAsync(), await gateway.Partners.CountAsync())
            );
        }

        await using (
            var configured = await ServiceHost.StartAllInOneAsync(
                null,
                "--environment=Production",
                "--Gateway:SeedDemoRules=true",
                "--Supervision:SeedDemoPartners=true"
            )
        )
        {
            var (rules, partners) = await Seeded(configured);
            Assert.Equal(DemoPrincipals.Territories.Length, rules);
            Assert.True(partners > 0);
        }
    }

    [Fact]
    public async Task The_development_demo_seeds_them_unless_turned_off()
    {
        await using (var demo = await ServiceHost.StartAllInOneAsync())
        {
            var (rules, partners) = await Seeded(demo);
            Assert.Equal(DemoPrincipals.Territories.Length, rules);
            Assert.True(partners > 0);
        }
        await using var off = await ServiceHost.StartAllInOneAsync(
            null,
            "--Gateway:SeedDemoRules=false",
            "--Supervision:SeedDemoPartners=false",
            // The gateway's demo directory would give Supervision its partners too.
            "--Gateway:SeedDemoDirectory=false"
        );
        Assert.Equal((0, 0), await Seeded(off));
    }
}
