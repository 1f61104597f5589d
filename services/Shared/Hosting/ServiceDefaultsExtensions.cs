using System.Text.Json;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>Telemetry, health, problem details and the clock, the same for every host.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string hostName)
    {
        builder.SetRegistry(new CoordinationServiceRegistry(hostName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddCoordinationTelemetry(hostName);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        builder.AddCoordinationSecurity();
        return builder;
    }

    /// <summary>Adds the one bus with every registered consumer, builds the app, maps health and every service's endpoints.</summary>
    public static WebApplication BuildCoordinationApp(this WebApplicationBuilder builder)
    {
        var registry = builder.Registry();
        builder.AddCoordinationMessaging();
        var app = builder.Build();

        app.UseExceptionHandler();
        // Turns the empty 401 and 403 of authentication and authorisation into problem details.
        app.UseStatusCodePages();
        app.UseMiddleware<AccessLogMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        // Orchestrators and load balancers probe without credentials; the OpenAPI document is public.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks(
                "/health/ready",
                new HealthCheckOptions { Predicate = r => r.Tags.Contains("ready"), ResponseWriter = WriteHealthReport }
            )
            .AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        foreach (var map in registry.Endpoints)
            map(app);
        return app;
    }

    public static string Summarise(HealthReport report) =>
        $"{report.Status} ({string.Join(", ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status}"))})";

    private static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            JsonSerializer.Serialize(
                new { status = report.Status.ToString(), checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()) }
            )
        );
    }
}
