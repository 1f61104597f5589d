using Coordination.ServiceDefaults.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Security;

/// <summary>One access to personal data over HTTP, allowed or denied: who, when, which record, for what. Never the values.</summary>
public sealed class AccessLogEntry
{
    public const int RouteMaxLength = 300,
        RecordRefMaxLength = 200;

    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Principal { get; set; }
    public string? Kind { get; set; }
    public string? Role { get; set; }
    public required string Method { get; set; }
    public required string Route { get; set; }
    public string? RecordRef { get; set; }
    public required string Purpose { get; set; }
    public required string Outcome { get; set; }
    public int StatusCode { get; set; }
}

/// <summary>Marks an endpoint as touching personal data; the access log middleware records every call to it.</summary>
public sealed record PersonalDataAccess(Type Context, string Purpose, string? RecordRouteValue);

public static class AccessLogExtensions
{
    /// <summary>Every call, allowed or refused, is recorded in <typeparamref name="TContext"/>'s access log.</summary>
    public static RouteHandlerBuilder RecordsPersonalDataAccess<TContext>(
        this RouteHandlerBuilder builder,
        string purpose,
        string? recordRouteValue = null
    )
        where TContext : ServiceDbContext => builder.WithMetadata(new PersonalDataAccess(typeof(TContext), purpose, recordRouteValue));

    public static RouteGroupBuilder RecordsPersonalDataAccess<TContext>(
        this RouteGroupBuilder builder,
        string purpose,
        string? recordRouteValue = null
    )
        where TContext : ServiceDbContext => builder.WithMetadata(new PersonalDataAccess(typeof(TContext), purpose, recordRouteValue));
}

/// <summary>
/// Runs before authentication and authorisation, so that a refused call (401, 403) is recorded as
/// well as an allowed one; writes in its own scope, after the response is decided.
/// </summary>
public sealed partial class AccessLogMiddleware(
    RequestDelegate next,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<AccessLogMiddleware> logger
)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var access = context.GetEndpoint()?.Metadata.GetMetadata<PersonalDataAccess>();
        if (access is null)
        {
            await next(context);
            return;
        }
        try
        {
            await next(context);
        }
        finally
        {
            await RecordAsync(context, access);
        }
    }

    private async Task RecordAsync(HttpContext context, PersonalDataAccess access)
    {
        var status = context.Response.StatusCode;
        var user = context.User;
        var record = access.RecordRouteValue is { } key && context.GetRouteValue(key) is { } value ? RecordRefOf(key, value) : null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = (ServiceDbContext)scope.ServiceProvider.GetRequiredService(access.Context);
            db.Set<AccessLogEntry>()
                .Add(
                    new AccessLogEntry
                    {
                        At = clock.GetUtcNow(),
                        Principal = user.Identity?.IsAuthenticated == true ? user.SubjectOf() : "anonymous",
                        Kind = user.FindFirst(CoordinationClaims.Kind)?.Value,
                        Role = user.FindFirst(CoordinationClaims.Role)?.Value,
                        Method = context.Request.Method,
                        Route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "",
                        RecordRef = record,
                        Purpose = access.Purpose,
                        Outcome = status switch
                        {
                            < 400 => "allowed",
                            401 or 403 => "denied",
                            404 => "not-found",
                            _ => "failed",
                        },
                        StatusCode = status,
                    }
                );
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The access happened; losing its trace must be loud.
            LogAccessNotRecorded(logger, ex.GetType().Name, access.Purpose);
            throw;
        }
    }

    /// <summary>
    /// The route value comes from whoever calls, anonymous ones included, and its length is theirs:
    /// one too long for any record is logged as such, so that the access is still recorded. Not cut:
    /// what a caller typed in place of a reference may be a name.
    /// </summary>
    internal static string RecordRefOf(string key, object value)
    {
        var reference = $"{key}:{value}";
        return reference.Length <= AccessLogEntry.RecordRefMaxLength
            ? reference
            : $"{key}:(not a reference: over {AccessLogEntry.RecordRefMaxLength} characters)";
    }

    [LoggerMessage(
        Level = LogLevel.Critical,
        Message = "Access to personal data could not be recorded ({ExceptionType}, purpose {Purpose})"
    )]
    private static partial void LogAccessNotRecorded(ILogger logger, string exceptionType, string purpose);
}
