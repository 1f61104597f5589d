using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Coordination.Testing;

/// <summary>
/// An OTLP/HTTP receiver in the test (what Jaeger's :4318 is in compose): it accepts
/// <c>POST /v1/traces|metrics|logs</c> in protobuf and reads the spans of the trace exports:
/// each span's trace id and name with its resource's <c>service.name</c>.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    public sealed record Span(string ServiceName, string TraceId, string Name);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private OtlpCollector(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>For OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).</summary>
    public string Endpoint { get; }
    private int _requests;
    public int Requests => _requests;
    public IReadOnlyCollection<Span> Spans => _spans.ToArray();
    private readonly ConcurrentQueue<string> _errors = new();

    /// <summary>Requests it could not read (answered 400), for a failing test's message.</summary>
    public IReadOnlyCollection<string> Errors => _errors.ToArray();

    public static OtlpCollector Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new OtlpCollector(FreePort());
            }
            catch (HttpListenerException) when (attempt < 5) { }
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Interlocked.Increment(ref _requests);
                if (context.Request.HttpMethod == "POST" && context.Request.Url!.AbsolutePath == "/v1/traces")
                    foreach (var span in ReadTraces(body.ToArray()).ToList())
                        _spans.Enqueue(span);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception e)
            {
                _errors.Enqueue($"{context.Request.Url?.AbsolutePath}: {e.GetType().Name}: {e.Message}");
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    /// <summary>
    /// ExportTraceServiceRequest { 1: ResourceSpans[] }; ResourceSpans { 1: Resource, 2: ScopeSpans[] };
    /// Resource { 1: KeyValue[] }; KeyValue { 1: key, 2: AnyValue { 1: string } }; ScopeSpans { 2: Span[] };
    /// Span { 1: trace_id, 5: name }.
    /// </summary>
    public static IEnumerable<Span> ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes!))
        {
            var service = "";
            foreach (var resource in Fields(resourceSpans).Where(f => f.Number == 1))
            foreach (var attribute in Fields(resource.Bytes!).Where(f => f.Number == 1))
            {
                var kv = Fields(attribute.Bytes!).ToList();
                var key = kv.Where(f => f.Number == 1).Select(f => Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault();
                var value = kv.Where(f => f.Number == 2)
                    .SelectMany(f => Fields(f.Bytes!))
                    .Where(f => f.Number == 1 && f.Bytes is not null)
                    .Select(f => Encoding.UTF8.GetString(f.Bytes!))
                    .FirstOrDefault();
                if (key == "service.name" && value is not null)
                    service = value;
            }
            foreach (var scopeSpans in Fields(resourceSpans).Where(f => f.Number == 2))
            foreach (var span in Fields(scopeSpans.Bytes!).Where(f => f.Number == 2))
            {
                var fields = Fields(span.Bytes!).ToList();
                var traceId = Convert.ToHexStringLower(fields.First(f => f.Number == 1).Bytes!);
                var name = fields.Where(f => f.Number == 5).Select(f => Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault() ?? "";
                yield return new Span(service, traceId, name);
            }
        }
    }

    /// <summary>The fields of one protobuf message; length-delimited ones with their bytes.</summary>
    private static IEnumerable<(int Number, byte[]? Bytes)> Fields(byte[] message)
    {
        var position = 0;
        var fields = new List<(int, byte[]?)>();
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    Varint(message, ref position);
                    fields.Add((number, null));
                    break;
                case 1:
                    position += 8;
                    fields.Add((number, null));
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    fields.Add((number, message[position..(position + length)]));
                    position += length;
                    break;
                case 5:
                    position += 4;
                    fields.Add((number, null));
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {tag & 7} at {position}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] buffer, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = buffer[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception) { }
        _stop.Dispose();
    }
}
