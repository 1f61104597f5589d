using Coordination.CourtReporting.Api;
using Coordination.CourtReporting.Application;
using Coordination.CourtReporting.Consumers;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordination.CourtReporting;

public static class CourtReportingService
{
    public const string Name = "court-reporting";

    /// <summary>
    /// Regular information of the JAP and SPIP (4°): a picture per sentence-enforcement jurisdiction
    /// built from Supervision's facts, and numbered reports sent through the gateway, one-way.
    /// </summary>
    public static WebApplicationBuilder AddCourtReportingService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CourtReportingDbContext, SqliteCourtReportingDbContext, SqlServerCourtReportingDbContext>(Name);
        // Release requests go on this service's own lane, which only its broker account may write (ADR 10).
        builder.Services.AddOutboxRoute<CourtReportingDbContext, Coordination.Contracts.Gateway.ReleaseConfidentialPayload>(prefix =>
            Coordination.Contracts.Gateway.ReleaseLanes.AddressOf(Coordination.Contracts.Gateway.ReleaseLanes.CourtReporting, prefix)
        );
        // Seals only for the gateway, with its published public key: holds no private key of its own.
        builder.AddSealingKeys();
        builder
            .Services.AddOptions<CourtReportingOptions>()
            .BindConfiguration(CourtReportingOptions.Section)
            .Validate(
                o => o.PeriodMonths is 1 or 2 or 3 or 4 or 6 or 12,
                "CourtReporting:PeriodMonths divides the year: 1, 2, 3, 4, 6 or 12."
            );
        builder.Services.AddScoped<CourtReportIssuer>();
        builder.Services.AddScoped<SupervisionOpenedHandler>();
        builder.Services.AddScoped<PartnerAssignedHandler>();
        builder.Services.AddScoped<PartnerUnassignedHandler>();
        builder.Services.AddScoped<ControlScheduledHandler>();
        builder.Services.AddScoped<ControlRecordedHandler>();
        builder.Services.AddScoped<IncidentReportedHandler>();
        builder.Services.AddScoped<SupportActionPlannedHandler>();
        builder.Services.AddScoped<SupportActionProgressedHandler>();
        builder.Services.AddScoped<SupervisionEndedHandler>();
        builder.Services.AddScoped<SupervisionPurgedHandler>();
        builder.Services.AddScoped<ReportDeniedHandler>();
        builder.Services.AddScoped<ReportReleasedHandler>();
        builder.Services.AddScoped<JurisdictionDirectoryChangedHandler>();
        builder.Services.AddScoped<LateFactFilter>();
        builder.Services.AddScoped<CourtReportingQueries>();
        builder.Services.AddScoped<IssueReportNowHandler>();
        builder.Services.AddPeriodicPass<ReportingSchedule>(sp =>
            sp.GetRequiredService<IOptions<CourtReportingOptions>>().Value.DeadlinePollInterval
        );

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Consumers.Add(x =>
        {
            x.AddConsumer<SupervisionOpenedConsumer, SupervisionOpenedConsumerDefinition>();
            x.AddConsumer<PartnerAssignedConsumer, PartnerAssignedConsumerDefinition>();
            x.AddConsumer<ControlScheduledConsumer, ControlScheduledConsumerDefinition>();
            x.AddConsumer<ControlRecordedConsumer, ControlRecordedConsumerDefinition>();
            x.AddConsumer<IncidentReportedConsumer, IncidentReportedConsumerDefinition>();
            x.AddConsumer<PartnerUnassignedConsumer, PartnerUnassignedConsumerDefinition>();
            x.AddConsumer<SupportActionPlannedConsumer, SupportActionPlannedConsumerDefinition>();
            x.AddConsumer<SupportActionProgressedConsumer, SupportActionProgressedConsumerDefinition>();
            x.AddConsumer<SupervisionEndedConsumer, SupervisionEndedConsumerDefinition>();
            x.AddConsumer<SupervisionPurgedConsumer, SupervisionPurgedConsumerDefinition>();
            x.AddConsumer<ConfidentialPayloadDeniedConsumer, ConfidentialPayloadDeniedConsumerDefinition>();
            x.AddConsumer<ConfidentialPayloadReleasedConsumer, ConfidentialPayloadReleasedConsumerDefinition>();
            x.AddConsumer<JurisdictionDirectoryChangedConsumer, JurisdictionDirectoryChangedConsumerDefinition>();
        });
        registry.Endpoints.Add(CourtReportingApi.Map);
        return builder;
    }
}
