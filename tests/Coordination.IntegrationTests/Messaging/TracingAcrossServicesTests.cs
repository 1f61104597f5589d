using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.Briefings.Api;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// One story, one trace: an agency's message through the gateway (its own process) and on to the
/// Briefings service (another process), over RabbitMQ and the outbox, exported by OTLP to a listener.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class TracingAcrossServicesTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task Spans_of_the_gateway_and_of_briefings_arrive_over_otlp_with_one_trace_id()
    {
        var exports = new ConcurrentQueue<byte[]>();
        await using var collector = await StartCollectorAsync(exports);
        var otlp = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var folder = ServiceHost.NewFolder();
        var keyFile = Path.Combine(folder, "dev-signing-key.pem");
        var key = SigningKeys.LoadOrCreateDevelopmentKey(keyFile);
        var (gatewayPort, briefingsPort) = (FreePort(), FreePort());
        using var gateway = Start("Gateway", gatewayPort, Path.Combine(folder, "gateway"), keyFile, otlp);
        using var briefings = Start("Briefings", briefingsPort, Path.Combine(folder, "briefings"), keyFile, otlp);
        try
        {
            using var http = new HttpClient();
            await Poller.UntilAsync(async () => await Ready(http, gatewayPort) && await Ready(http, briefingsPort), "both services ready", TimeSpan.FromSeconds(60));

            var traceId = ActivityTraceId.CreateRandom();
            var envelope = IngressOverHttpTests.Example("briefings.record-briefing");
            envelope["messageId"] = Guid.NewGuid().ToString();
            var summary = $"Traced {traceId}";
            envelope["payload"]!["summary"] = summary;
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{gatewayPort}/ingress/briefings.record-briefing")
            {
                Content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                DevelopmentTokens.Issue(DemoPrincipals.Named("prosecutor-75"), key, new TokenOptions(), DateTimeOffset.UtcNow));
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
            Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request)).StatusCode);

            var operatorToken = DevelopmentTokens.Issue(ServiceHost.Operator, key, new TokenOptions(), DateTimeOffset.UtcNow);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
            await Poller.UntilAsync(async () => (await http.GetFromJsonAsync<List<BriefingView>>($"http://127.0.0.1:{briefingsPort}/briefings"))!.Any(b => b.Summary == summary),
                "the briefing recorded by the Briefings process", TimeSpan.FromSeconds(60));

            var raw = traceId.ToHexString();
            var traceBytes = Convert.FromHexString(raw);
            bool ExportedBy(string service) => exports.Any(e => Contains(e, traceBytes) && Contains(e, Encoding.UTF8.GetBytes(service)));
            try
            {
                await Poller.UntilAsync(() => ExportedBy("coordination-gateway") && ExportedBy("coordination-briefings"),
                    "spans of both services with the trace id", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                var services = exports.Select(e => (Contains(e, Encoding.UTF8.GetBytes("coordination-gateway")) ? "gateway" : "") + (Contains(e, Encoding.UTF8.GetBytes("coordination-briefings")) ? "briefings" : "") + (Contains(e, traceBytes) ? "+trace" : ""));
                Assert.Fail($"No spans of both services under {raw}: {exports.Count} exports [{string.Join(", ", services)}]");
            }
        }
        finally
        {
            Stop(gateway);
            Stop(briefings);
            ServiceHost.DeleteFolder(folder);
        }
    }

    private Process Start(string service, int port, string dataFolder, string keyFile, string otlp)
    {
        var dll = Path.Combine(RepositoryRoot(), "services", service, "bin", Configuration(), "net10.0", $"Coordination.{service}.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in new[]
        {
            $"--urls=http://127.0.0.1:{port}", "--Messaging:Transport=RabbitMq", $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
            $"--Database:Directory={dataFolder}", $"--Authentication:DevelopmentKeyFile={keyFile}",
            $"--Sealing:KeyDirectory={Path.Combine(Path.GetDirectoryName(keyFile)!, "sealing-keys")}", "--Logging:LogLevel:Default=Warning",
        }) start.ArgumentList.Add(argument);
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<WebApplication> StartCollectorAsync(ConcurrentQueue<byte[]> exports)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            exports.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<bool> Ready(HttpClient http, int port)
    {
        try { return (await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static void Stop(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Coordination.sln"))) return folder.FullName;
        throw new DirectoryNotFoundException("Coordination.sln not found above the test output.");
    }
}
