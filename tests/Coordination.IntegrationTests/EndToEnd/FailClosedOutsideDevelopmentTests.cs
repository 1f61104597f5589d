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
                DemoCommands.TryRunDevToken(
                    ["dev-token", "secretariat-93", "--environment=Production", $"--Database:Directory={folder}"],
                    Coordination.AllInOne.AllInOneHost.Defaults
                )
            );
            // No service's own host issues tokens: dev-token is the demo's command, not a host command.
            Assert.Null(CoordinationHost.TryRunCommand(["dev-token", "secretariat-93"], Coordination.AllInOne.AllInOneHost.Defaults));

            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Directory"] = folder })
                .Build();
            var production = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = Environments.Production };
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, DemoCommands.DevToken(["secretariat-93"], configuration, production, output, error));
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

/// <summary>
/// The demo data (directory, sharing rules, Supervision's copy of the partners): seeded by the demo project through the
/// APIs, by the all-in-one host in Development before it is ready; never outside Development, where no service trusts
/// the token it would seed with.
/// </summary>
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
    public async Task Nothing_demo_is_seeded_in_production_even_when_asked()
    {
        await using var production = await ServiceHost.StartAllInOneAsync(null, "--environment=Production", "--Demo:Seed=true");
        Assert.Equal((0, 0), await Seeded(production));
        // The directory starts empty: the deployment's secretariat registers its own agencies and jurisdictions.
        await using var scope = production.App.Services.CreateAsyncScope();
        var gateway = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        Assert.Equal(
            (0, 0, 0),
            (await gateway.Agencies.CountAsync(), await gateway.Jurisdictions.CountAsync(), await gateway.Partners.CountAsync())
        );
        Assert.Null(production.App.Services.GetService<DemoSeeding>());
    }

    [Fact]
    public async Task The_development_demo_seeds_them_through_the_apis_once_and_a_second_run_changes_nothing()
    {
        await using (var demo = await ServiceHost.StartAllInOneAsync())
        {
            var (rules, partners) = await Seeded(demo);
            Assert.Equal(DemoPrincipals.Territories.Length, rules);
            Assert.Equal(DemoPartners.All.Count, partners);
            var registered = await demo.App.Services.GetRequiredService<DemoSeeding>().Completion;
            Assert.Contains("jurisdiction:tj-paris", registered);
            Assert.Contains("sharing-rules:75", registered);

            // Audited as any registration, under the seed's name.
            using var auditor = demo.ClientFor(DemoPrincipals.Named("auditor"));
            var audit = await auditor.GetStringAsync("/audit?limit=200");
            Assert.Contains("\"demo-seed\"", audit);

            // Seeding again, as the demo image does at each start: nothing registered, nothing refused.
            using var gateway = DemoSeed.ClientFor(demo.BaseAddress, demo.TokenFor(DemoPrincipals.Seeder));
            Assert.Empty(await DemoSeed.RunAsync(gateway, gateway));
            Assert.Equal((rules, partners), await Seeded(demo));
        }
        await using var off = await ServiceHost.StartAllInOneAsync(null, "--Demo:Seed=false");
        Assert.Equal((0, 0), await Seeded(off));
        Assert.Null(off.App.Services.GetService<DemoSeeding>());
    }

    [Fact]
    public async Task The_all_in_one_host_is_not_ready_before_the_demo_data_is_in_place()
    {
        var folder = ServiceHost.NewFolder();
        try
        {
            await using var app = Coordination.AllInOne.AllInOneHost.Build([
                "--environment=Development",
                "--urls=http://127.0.0.1:0",
                $"--Database:Directory={folder}",
                "--Logging:LogLevel:Default=Warning",
            ]);
            var seeding = app.Services.GetRequiredService<DemoSeeding>();
            var health = app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
            // Before the server starts nothing is seeded, and readiness says so.
            var before = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, before.Entries["demo-seed"].Status);
            await app.StartAsync();
            await seeding.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            var after = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, after.Entries["demo-seed"].Status);
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            ServiceHost.DeleteFolder(folder);
        }
    }
}
