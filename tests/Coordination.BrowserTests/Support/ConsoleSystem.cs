using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.BrowserTests.Support;

/// <summary>
/// The all-in-one host (every service and the console) started in this process on a free port of
/// 127.0.0.1, in-memory bus and SQLite in a folder of its own, as the README's run command starts it.
/// </summary>
public sealed class ConsoleSystem : IAsyncDisposable
{
    private ConsoleSystem(WebApplication app, string folder)
    {
        App = app;
        Folder = folder;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public WebApplication App { get; }
    public string Folder { get; }
    public Uri BaseAddress { get; }

    public static async Task<ConsoleSystem> StartAsync(params string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("coordination-console-").FullName;
        var app = Coordination.AllInOne.AllInOneHost.Build([
            "--environment=Development",
            "--urls=http://127.0.0.1:0",
            $"--Database:Directory={folder}",
            "--Outbox:PollInterval=00:00:00.250",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        await app.StartAsync();
        // The demo data, seeded by the host through its APIs (the demo project) before it is ready.
        if (app.Services.GetService<DemoSeeding>() is { } seeding)
            await seeding.Completion.WaitAsync(TimeSpan.FromSeconds(90));
        return new ConsoleSystem(app, folder);
    }

    /// <summary>A client of the APIs (not the console) with a demo principal's token, for setting the scene.</summary>
    public HttpClient ApiClientFor(string principal)
    {
        var key = SigningKeys.LoadOrCreateDevelopmentKey(Path.Combine(Folder, "dev-signing-key.pem"));
        var token = DevelopmentTokens.Issue(DemoPrincipals.Named(principal), key, new TokenOptions(), DateTimeOffset.UtcNow);
        return Coordination.Testing.AgencyClient.HttpClientWithToken(BaseAddress, token);
    }

    /// <summary>
    /// The JAP of Paris designates a person (over the HTTP door); returns the PersonRef once Supervision opened the case.
    /// </summary>
    public async Task<string> DesignateInParisAsync()
    {
        var example = Coordination.Testing.AgencyClient.Example("supervision.designate-person");
        example["messageId"] = Guid.NewGuid().ToString();
        using var jap = ApiClientFor("jap-75");
        using var operatorOf75 = ApiClientFor("secretariat-75");
        var before = await CasesAsync(operatorOf75);
        var sent = await Coordination.Testing.AgencyClient.PostAsync(jap, "supervision.designate-person", example.ToJsonString());
        if (!sent.IsSuccessStatusCode)
            throw new InvalidOperationException($"designation refused: {(int)sent.StatusCode} {await sent.Content.ReadAsStringAsync()}");
        var person = "";
        await Coordination.Testing.Poller.UntilAsync(
            async () =>
            {
                person = (await CasesAsync(operatorOf75)).Except(before).FirstOrDefault() ?? "";
                return person != "";
            },
            "Supervision opens the designated person's case"
        );
        return person;
    }

    private static async Task<List<string>> CasesAsync(HttpClient client) =>
        (JsonNode.Parse(await client.GetStringAsync("/supervision/cases")) as JsonArray ?? []).Select(c => (string)c!["person"]!).ToList();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException) { }
    }
}
