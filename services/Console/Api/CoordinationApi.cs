using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Coordination.WebConsole.Api;

/// <summary>The services the console calls, by the name <see cref="ConsoleOptions.Apis"/> keys them with.</summary>
public static class ApiServices
{
    public const string Gateway = "gateway";
    public const string Briefings = "briefings";
    public const string Opinions = "opinions";
    public const string Supervision = "supervision";
    public const string CourtReporting = "court-reporting";
}

/// <summary>An API's answer: the JSON body when it succeeded, its problem details when it did not.</summary>
public sealed record ApiResult(HttpStatusCode Status, JsonNode? Body, ApiProblem? Problem)
{
    public bool Ok => (int)Status is >= 200 and < 300;
    public JsonArray Items => Body as JsonArray ?? [];
}

/// <summary>RFC 9457 problem details as the services write them (title, reasonCode, errors per field, reasonCodes per field).</summary>
public sealed record ApiProblem(
    int Status,
    string? Title,
    string? Detail,
    string? ReasonCode,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyDictionary<string, string> FieldReasonCodes
)
{
    public static ApiProblem Of(HttpStatusCode status, JsonNode? body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (body?["errors"] is JsonObject e)
            foreach (var (field, messages) in e)
                errors[field] = messages is JsonArray a
                    ? a.Select(m => m?.GetValue<string>() ?? "").ToArray()
                    : [messages?.ToString() ?? ""];
        var codes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body?["reasonCodes"] is JsonObject r)
            foreach (var (field, code) in r)
                codes[field] = code?.GetValue<string>() ?? "";
        return new ApiProblem((int)status, Str(body, "title"), Str(body, "detail"), Str(body, "reasonCode"), errors, codes);
    }

    private static string? Str(JsonNode? body, string name) => body?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// Calls the services' HTTP APIs with the signed-in user's own token: the APIs decide what the user
/// may see or do, and the console shows their answer. It keeps nothing.
/// </summary>
public sealed class CoordinationApi(
    IHttpClientFactory clients,
    IHttpContextAccessor accessor,
    IOptions<ConsoleOptions> options,
    IServer server
)
{
    public const string HttpClientName = "coordination-api";

    public Task<ApiResult> GetAsync(string service, string path, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, service, path, null, ct);

    public Task<ApiResult> PostAsync(string service, string path, object? body, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, service, path, body, ct);

    public Task<ApiResult> PutAsync(string service, string path, object? body, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, service, path, body, ct);

    private async Task<ApiResult> SendAsync(HttpMethod method, string service, string path, object? body, CancellationToken ct)
    {
        var context =
            accessor.HttpContext ?? throw new InvalidOperationException("The console calls the APIs only while answering a request.");
        var token = await context.AccessTokenAsync();
        using var request = new HttpRequestMessage(method, new Uri(BaseOf(service), path));
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null || method != HttpMethod.Get)
            request.Content = new StringContent(
                System.Text.Json.JsonSerializer.Serialize(body ?? new { }, Json.Web),
                Encoding.UTF8,
                "application/json"
            );
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        if (text.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                json = null;
            }
        }
        return response.IsSuccessStatusCode
            ? new ApiResult(response.StatusCode, json, null)
            : new ApiResult(response.StatusCode, json, ApiProblem.Of(response.StatusCode, json));
    }

    private Uri BaseOf(string service)
    {
        var o = options.Value;
        if (o.Apis.TryGetValue(service, out var url) && !string.IsNullOrWhiteSpace(url))
            return new Uri(url.TrimEnd('/') + "/");
        if (!string.IsNullOrWhiteSpace(o.ApiBaseUrl))
            return new Uri(o.ApiBaseUrl.TrimEnd('/') + "/");
        // The all-in-one host: the APIs answer on the host's own first address.
        var address =
            server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Console:ApiBaseUrl is not set and the host has no address yet.");
        return new Uri(CoordinationHost.LocalAddressOf(address) + "/");
    }
}

internal static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);
}
