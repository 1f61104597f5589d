using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Supervision.Api;
using Coordination.Supervision.Application;
using Coordination.Supervision.Consumers;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision;

public static class SupervisionService
{
    public const string Name = "supervision";

    /// <summary>
    /// Community supervision of designated persons (3°): cases opened and ended by the judicial authority's designations, partners,
    /// controls, incidents, retention.
    /// </summary>
    public static WebApplicationBuilder AddSupervisionService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<SupervisionDbContext, SqliteSupervisionDbContext, SqlServerSupervisionDbContext>(Name);
        // Release requests go on this service's own lane, which only its broker account may write (ADR 10).
        builder.Services.AddOutboxRoute<SupervisionDbContext, Coordination.Contracts.Gateway.ReleaseConfidentialPayload>(prefix =>
            Coordination.Contracts.Gateway.ReleaseLanes.AddressOf(Coordination.Contracts.Gateway.ReleaseLanes.Supervision, prefix)
        );
        builder.AddSealingKeys(Coordination.Contracts.Gateway.KeyOwners.Supervision);
        builder.Services.AddOptions<SupervisionOptions>().BindConfiguration(SupervisionOptions.Section);
        builder.Services.AddPeriodicPass<CaseRetention>(sp =>
            sp.GetRequiredService<IOptions<SupervisionOptions>>().Value.RetentionPollInterval
        );
        builder
            .Services.AddScoped<PartnerInformation>()
            .AddScoped<DesignatePersonHandler>()
            .AddScoped<WithdrawDesignationHandler>()
            .AddScoped<DetentionConductReportedHandler>()
            .AddScoped<RecordControlHandler>()
            .AddScoped<ReportIncidentHandler>()
            .AddScoped<ReportSupportProgressHandler>()
            .AddScoped<PartnerDirectoryChangedHandler>()
            .AddScoped<AssignPartnerHandler>()
            .AddScoped<UnassignPartnerHandler>()
            .AddScoped<ScheduleControlHandler>()
            .AddScoped<PlanSupportActionHandler>()
            .AddScoped<RestrictCaseHandler>()
            .AddScoped<EndCaseHandler>()
            .AddScoped<CaseQueries>()
            .AddScoped<PartnerQueries>();

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Consumers.Add(x =>
        {
            x.AddConsumer<DesignatePersonConsumer, DesignatePersonConsumerDefinition>();
            x.AddConsumer<WithdrawDesignationConsumer, WithdrawDesignationConsumerDefinition>();
            x.AddConsumer<DetentionConductReportedConsumer, DetentionConductReportedConsumerDefinition>();
            x.AddConsumer<RecordControlConsumer, RecordControlConsumerDefinition>();
            x.AddConsumer<ReportIncidentConsumer, ReportIncidentConsumerDefinition>();
            x.AddConsumer<PartnerDirectoryChangedConsumer, PartnerDirectoryChangedConsumerDefinition>();
            x.AddConsumer<ReportSupportProgressConsumer, ReportSupportProgressConsumerDefinition>();
        });
        registry.Endpoints.Add(SupervisionApi.Map);
        return builder;
    }
}
