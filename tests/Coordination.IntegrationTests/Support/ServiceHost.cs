using System.Net.Http.Json;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.Support;

/// <summary>A service host started in this process exactly as its Program starts it, on a free port.</summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private ServiceHost(WebApplication app, string folder, bool ownsFolder)
    {
        App = app;
        Folder = folder;
        _ownsFolder = ownsFolder;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = ClientFor(Operator);
    }

    /// <summary>The tests' default caller: an operator of the CDPD secretariat acting for both demo territories.</summary>
    public static readonly DevelopmentPrincipal Operator = new(
        "test-secretariat",
        PrincipalKind.Operator,
        PrincipalRole.CdpdSecretariat,
        DemoPrincipals.Territories,
        null
    );

    public Uri BaseAddress { get; }

    /// <summary>A token as the development token command would issue it, signed by this host's development key.</summary>
    public string TokenFor(DevelopmentPrincipal principal, TimeSpan? lifetime = null, string? audience = null)
    {
        var options = new TokenOptions();
        var key = SigningKeys.LoadOrCreateDevelopmentKey(Path.Combine(Folder, "dev-signing-key.pem"));
        return DevelopmentTokens.Issue(principal, key, options, DateTimeOffset.UtcNow, lifetime, audience);
    }

    public HttpClient ClientFor(DevelopmentPrincipal? principal) => ClientWithToken(principal is null ? null : TokenFor(principal));

    public HttpClient ClientWithToken(string? token) => AgencyClient.HttpClientWithToken(BaseAddress, token);

    /// <summary>The keys of this host's demo key store, every agency's among them: what opens a delivery.</summary>
    public Coordination.ServiceDefaults.Sealing.SealingKeyStore Keys =>
        App.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();

    private readonly bool _ownsFolder;
    public WebApplication App { get; }
    public string Folder { get; }
    public HttpClient Http { get; }
    public IBus Bus => App.Services.GetRequiredService<IBus>();

    /// <summary>
    /// Sends a release request on <paramref name="requester"/>'s lane, as that service's outbox relay
    /// does: the gateway takes the requester from the lane, whatever the request says.
    /// </summary>
    public async Task SendReleaseRequestAsync(
        string requester,
        Coordination.Contracts.Gateway.ReleaseConfidentialPayload request,
        Guid messageId
    )
    {
        var prefix = App.Services.GetService<Coordination.ServiceDefaults.Messaging.MessagingOptions>()?.QueuePrefix ?? "";
        var lane = await Bus.GetSendEndpoint(Coordination.Contracts.Gateway.ReleaseLanes.AddressOf(requester, prefix));
        await lane.Send(request, ctx => ctx.MessageId = messageId);
    }

    /// <summary>
    /// Supervision's fact that <paramref name="partner"/> follows the person's case, once the gateway's own table shows it.
    /// </summary>
    public async Task AssignPartnerAsync(Coordination.Contracts.Values.PersonRef person, string partner)
    {
        await Bus.Publish(
            new Coordination.Contracts.Supervision.PartnerAssigned
            {
                CaseId = Guid.NewGuid(),
                Person = person,
                Partner = Coordination.Contracts.Values.PartnerId.Parse(partner),
                Role = Coordination.Contracts.Supervision.PartnerRole.Association,
            }
        );
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = App.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
                return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
                    db.PartnerAssignments,
                    a => a.Person == person && a.Partner == partner
                );
            },
            $"{partner} assigned in the gateway's table"
        );
    }

    public static string NewFolder() => Directory.CreateTempSubdirectory("coordination-it-").FullName;

    /// <summary>The Briefings service alone on the test broker.</summary>
    public static Task<ServiceHost> StartBriefingsAsync(RabbitMqBroker broker, string? folder = null, params string[] settings) =>
        StartAsync(
            args => Coordination.Briefings.Program.Build(args),
            folder,
            [
                "--Messaging:Transport=RabbitMq",
                $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
                "--Messaging:RetryIntervalMilliseconds=50",
                .. settings,
            ]
        );

    /// <summary>The Briefings service alone on the in-memory bus, with the test's own additions.</summary>
    public static Task<ServiceHost> StartBriefingsInMemoryAsync(Action<WebApplicationBuilder> configure) =>
        StartAsync(args => Coordination.Briefings.Program.Build(args, configure), null, ["--Messaging:Transport=InMemory"]);

    /// <summary>Every service in one process, in-memory bus and SQLite, as the README's run command starts it.</summary>
    public static Task<ServiceHost> StartAllInOneAsync(Action<WebApplicationBuilder>? configure = null, params string[] settings) =>
        StartAsync(args => Coordination.AllInOne.AllInOneHost.Build(args, configure), null, settings);

    /// <summary>
    /// The gateway alone on the in-memory bus; two of them given one folder share its database, keys and audit checkpoints.
    /// </summary>
    public static Task<ServiceHost> StartGatewayInMemoryAsync(string folder, params string[] settings) =>
        StartAsync(args => Coordination.Gateway.Program.Build(args), folder, ["--Messaging:Transport=InMemory", .. settings]);

    /// <summary>One service's own host (its Program's Build), on the test broker, with the caller's settings.</summary>
    public static Task<ServiceHost> StartServiceAsync(
        Func<string[], WebApplication> build,
        RabbitMqBroker broker,
        params string[] settings
    ) =>
        StartAsync(
            build,
            null,
            [
                "--Messaging:Transport=RabbitMq",
                $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
                "--Messaging:RetryIntervalMilliseconds=50",
                .. settings,
            ]
        );

    /// <summary>
    /// One service's own host on a RabbitMQ cluster, under its own account of definitions.json, given every
    /// node (MassTransit's cluster host list): it reconnects to another node by itself when one is lost.
    /// </summary>
    public static Task<ServiceHost> StartOnClusterAsync(
        Func<string[], WebApplication> build,
        RabbitMqCluster cluster,
        string service,
        params string[] settings
    ) =>
        StartAsync(
            build,
            null,
            [
                "--Messaging:Transport=RabbitMq",
                $"--Messaging:RabbitMqUrl={cluster.UrlAs($"svc-{service}", AgencyClient.DemoPasswordOf($"svc-{service}"))}",
                "--Messaging:ConsumeTopologyFromBroker=true",
                "--Messaging:RetryIntervalMilliseconds=50",
                .. cluster.HostList.Select((node, i) => $"--Messaging:ClusterNodes:{i}={node}"),
                .. settings,
            ]
        );

    private static async Task<ServiceHost> StartAsync(Func<string[], WebApplication> build, string? folder, string[] settings)
    {
        var ownsFolder = folder is null;
        folder ??= NewFolder();
        var app = build([
            // The tests' hosts are demos: development tokens and the demo data, seeded through the APIs
            // (DemoDataAsync). A test of production behaviour passes --environment=Production, which comes later
            // and wins; one that wants no demo data, --Demo:Seed=false.
            "--environment=Development",
            "--urls=http://127.0.0.1:0",
            $"--Database:Directory={folder}",
            "--Outbox:PollInterval=00:00:00.250",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        await app.StartAsync();
        await DemoDataAsync(app);
        await DirectoryCopiesAsync(app);
        return new ServiceHost(app, folder, ownsFolder);
    }

    /// <summary>
    /// The demo data, through the demo project over HTTP, as a demo deployment gets it: the all-in-one host seeds
    /// itself before it is ready, so the test waits for that; a gateway alone in Development is seeded here, through its
    /// API, with the development key it trusts. Nothing outside Development (the services would refuse the token).
    /// </summary>
    private static async Task DemoDataAsync(WebApplication app)
    {
        if (app.Services.GetService<DemoSeeding>() is { } seeding)
        {
            await seeding.Completion.WaitAsync(TimeSpan.FromSeconds(90));
            return;
        }
        await using var probe = app.Services.CreateAsyncScope();
        if (
            !Microsoft.Extensions.Hosting.HostEnvironmentEnvExtensions.IsDevelopment(app.Environment)
            || !Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(app.Configuration, "Demo:Seed", true)
            || probe.ServiceProvider.GetService<Coordination.Gateway.Persistence.GatewayDbContext>() is null
        )
            return;
        var options =
            Microsoft.Extensions.Configuration.ConfigurationBinder.Get<TokenOptions>(app.Configuration.GetSection(TokenOptions.Section))
            ?? new TokenOptions();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var gateway = DemoSeed.ClientFor(
            new Uri(address),
            DemoSeed.SeederToken(SigningKeys.DevelopmentKeyPath(app.Configuration, options), options)
        );
        await DemoSeed.RunAsync(gateway);
    }

    /// <summary>
    /// With the gateway and CourtReporting in one process, CourtReporting learns the directory's jurisdictions from
    /// the gateway's outbox (ADR 16), as a deployment does: a test starts once its copy holds every active one.
    /// </summary>
    private static async Task DirectoryCopiesAsync(WebApplication app)
    {
        await using var probe = app.Services.CreateAsyncScope();
        if (
            probe.ServiceProvider.GetService<Coordination.Gateway.Persistence.GatewayDbContext>() is null
            || probe.ServiceProvider.GetService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>() is null
        )
            return;
        await Poller.UntilAsync(
            async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                var directory = scope.ServiceProvider.GetRequiredService<Coordination.Gateway.Persistence.GatewayDbContext>();
                var copy = scope.ServiceProvider.GetRequiredService<Coordination.CourtReporting.Persistence.CourtReportingDbContext>();
                var active = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
                    directory.Jurisdictions,
                    j => j.RetiredAt == null
                );
                var known = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
                    copy.Jurisdictions,
                    j => j.RetiredAt == null
                );
                return known >= active;
            },
            "CourtReporting's copy of the directory's jurisdictions"
        );
    }

    public async Task<T> GetJsonAsync<T>(string path) => (await Http.GetFromJsonAsync<T>(path))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsFolder)
            DeleteFolder(Folder);
    }

    public static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
    }
}
