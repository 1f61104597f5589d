using Coordination.Contracts.Classification;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coordination.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    public static IHostApplicationBuilder AddCoordinationTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        // The taxonomy of the contracts drives redaction: a value logged through a parameter
        // classified Confidential is erased, Internal is kept (members of the territory), and a
        // value that carries no classification is logged as is.
        builder.Services.AddRedaction(r =>
        {
            r.SetRedactor<ErasingRedactor>(new DataClassificationSet(CoordinationTaxonomy.Confidential));
            r.SetFallbackRedactor<NullRedactor>();
        });
        builder.Logging.EnableRedaction();
        builder.Logging.AddOpenTelemetry(l =>
        {
            l.IncludeFormattedMessage = true;
            l.IncludeScopes = true;
        });

        var otel = builder
            .Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceNamespace: "coordination"))
            .WithTracing(t =>
                t.AddSource("MassTransit", CoordinationTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
            )
            .WithMetrics(m =>
                m.AddMeter("MassTransit", CoordinationTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
            );

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.UseOtlpExporter();
        return builder;
    }
}
