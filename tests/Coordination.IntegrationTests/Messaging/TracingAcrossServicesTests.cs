using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Coordination.Briefings.Api;
using Coordination.IntegrationTests.EndToEnd;
using Coordination.IntegrationTests.Support;
using Coordination.ServiceDefaults.Security;
using Coordination.Testing;

namespace Coordination.IntegrationTests.Messaging;

/// <summary>
/// One story, one trace: an agency's message through the gateway (its own process) and on to the
/// Briefings service (another process), over RabbitMQ and the outbox, exported by OTLP to a listener.
/// The two processes work in a vhost of their own: the rest of the run's hosts declare the same
/// durable queues (gateway-ingress, briefings-…) in the default vhost, and must not feed or drain them.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class TracingAcrossServicesTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task Spans_of_the_gateway_and_of_briefings_arrive_over_otlp_with_one_trace_id()
    {
        await using var collector = OtlpCollector.Start();
        await using var isolation = await broker.IsolateAsync("otlp");
        Console.WriteLine($"Tracing test: the two processes on {isolation.Description}, OTLP to {collector.Endpoint}");
        var folder = ServiceHost.NewFolder();
        var keyFile = Path.Combine(folder, "dev-signing-key.pem");
        var key = SigningKeys.LoadOrCreateDevelopmentKey(keyFile);
        var (gatewayPort, briefingsPort) = (FreePort(), FreePort());
        using var gateway = ServiceProcess.Start(
            "Gateway",
            gatewayPort,
            Path.Combine(folder, "gateway"),
            keyFile,
            collector.Endpoint,
            isolation
        );
        using var briefings = ServiceProcess.Start(
            "Briefings",
            briefingsPort,
            Path.Combine(folder, "briefings"),
            keyFile,
            collector.Endpoint,
            isolation
        );
        try
        {
            // The request carries the chosen traceparent alone. While another test's host runs in this
            // process, OpenTelemetry's HttpClient instrumentation adds its own traceparent beside ours and
            // the gateway starts a new trace; without a propagator the handler has no diagnostics at all.
            using var http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null });
            await Poller.UntilAsync(
                async () => await Ready(http, gatewayPort) && await Ready(http, briefingsPort),
                "both services ready",
                TimeSpan.FromSeconds(90)
            );
            // The demo directory (the prosecutor's agency), through the gateway's API, as the demo image seeds it.
            using (var seed = DemoSeed.ClientFor(new Uri($"http://127.0.0.1:{gatewayPort}"), DemoSeed.SeederToken(keyFile)))
                await DemoSeed.RunAsync(seed);

            var traceId = ActivityTraceId.CreateRandom();
            var envelope = IngressOverHttpTests.Example("briefings.record-briefing");
            envelope["messageId"] = Guid.NewGuid().ToString();
            var summary = $"Traced {traceId}";
            envelope["payload"]!["summary"] = summary;
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{gatewayPort}/ingress/briefings.record-briefing")
            {
                Content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Bearer",
                DevelopmentTokens.Issue(DemoPrincipals.Named("prosecutor-75"), key, new TokenOptions(), DateTimeOffset.UtcNow)
            );
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
            Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request)).StatusCode);

            var operatorToken = DevelopmentTokens.Issue(ServiceHost.Operator, key, new TokenOptions(), DateTimeOffset.UtcNow);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
            await Poller.UntilAsync(
                async () =>
                    (await http.GetFromJsonAsync<List<BriefingView>>($"http://127.0.0.1:{briefingsPort}/briefings"))!.Any(b =>
                        b.Summary == summary
                    ),
                "the briefing recorded by the Briefings process",
                TimeSpan.FromSeconds(60)
            );

            // Spans are read from the OTLP requests: service.name of their resource, and their trace id.
            var trace = traceId.ToHexString();
            IEnumerable<OtlpCollector.Span> Of(string service) =>
                collector.Spans.Where(s => s.TraceId == trace && s.ServiceName == service);
            // The gateway's HTTP ingress span, and the Briefings consumer's (it ends, and is exported, after its commit).
            bool Ingress() => Of("coordination-gateway").Any(s => s.Name == "POST /ingress/{type}");
            bool Consumed() =>
                Of("coordination-briefings").Any(s => s.Name == $"{isolation.QueuePrefix}briefings-record-penal-policy-briefing process");
            // Through the outbox: the relay's span carries the stored traceparent on (exported in its own batch, maybe later).
            bool Relayed() => Of("coordination-gateway").Any(s => s.Name == "outbox relay RecordPenalPolicyBriefing");
            try
            {
                await Poller.UntilAsync(
                    () => Ingress() && Relayed() && Consumed(),
                    "the spans of both services with the trace id",
                    TimeSpan.FromSeconds(30)
                );
            }
            catch (TimeoutException)
            {
                var seen = collector
                    .Spans.GroupBy(s => (s.ServiceName, Ours: s.TraceId == trace))
                    .Select(g => $"{g.Key.ServiceName} ({(g.Key.Ours ? "this trace" : "other traces")}): {g.Count()}");
                var names = collector
                    .Spans.Where(s => !s.Name.Equals("main", StringComparison.Ordinal))
                    .Select(s => $"{s.ServiceName} {s.TraceId[..8]} {s.Name}");
                throw new Xunit.Sdk.XunitException(
                    $"Spans received ({collector.Requests} OTLP requests, unreadable: {string.Join("; ", collector.Errors)}): "
                        + $"{string.Join("; ", seen)}\n"
                        + $"trace {trace}; other spans: {string.Join("; ", names)}\n"
                        + $"gateway: {gateway.Output}\nbriefings: {briefings.Output}"
                );
            }
            foreach (var span in collector.Spans.Where(s => s.TraceId == trace).OrderBy(s => s.ServiceName))
                Console.WriteLine($"  {span.ServiceName}: {span.Name}");
        }
        finally
        {
            gateway.Stop();
            briefings.Stop();
            ServiceHost.DeleteFolder(folder);
        }
    }

    /// <summary>A service's own build output run as its own process, as its image runs it: <c>dotnet &lt;dll&gt;</c>.</summary>
    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private ServiceProcess(Process process) => _process = process;

        public string Output => string.Join('\n', _lines.TakeLast(40));

        public static ServiceProcess Start(string service, int port, string dataFolder, string keyFile, string otlp, BrokerIsolation broker)
        {
            var dll = Repository.BuildOutput(Path.Combine("services", service), $"Coordination.{service}.dll");
            if (!File.Exists(dll))
                throw new FileNotFoundException("Build the solution first: the service's build output is missing.", dll);
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(dll);
            foreach (
                var argument in new[]
                {
                    // Development: the processes trust the development key the test signs its tokens with.
                    "--environment=Development",
                    $"--urls=http://127.0.0.1:{port}",
                    "--Messaging:Transport=RabbitMq",
                    $"--Messaging:RabbitMqUrl={broker.AmqpUrl}",
                    $"--Messaging:QueuePrefix={broker.QueuePrefix}",
                    "--Outbox:PollInterval=00:00:00.250",
                    $"--Database:Directory={dataFolder}",
                    $"--Authentication:DevelopmentKeyFile={keyFile}",
                    $"--Sealing:KeyDirectory={Path.Combine(Path.GetDirectoryName(keyFile)!, "sealing-keys")}",
                    "--Logging:LogLevel:Default=Warning",
                }
            )
                start.ArgumentList.Add(argument);
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
            start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
            var process = new ServiceProcess(Process.Start(start)!);
            process._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    process._lines.Enqueue(e.Data);
            };
            process._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    process._lines.Enqueue(e.Data);
            };
            process._process.BeginOutputReadLine();
            process._process.BeginErrorReadLine();
            return process;
        }

        public void Stop()
        {
            try
            {
                if (!_process.HasExited)
                    _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            Stop();
            _process.Dispose();
        }
    }

    private static async Task<bool> Ready(HttpClient http, int port)
    {
        try
        {
            return (await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
