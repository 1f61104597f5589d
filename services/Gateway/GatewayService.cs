using Coordination.Gateway.Api;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Consumers;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordination.Gateway;

public static class GatewayService
{
    public const string Name = "gateway";

    /// <summary>
    /// The gateway: the territory's sharing rules, release decisions under them, and the chained
    /// audit log. (Ingress, identity vault and egress build on these.)
    /// </summary>
    public static WebApplicationBuilder AddGatewayService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<GatewayDbContext, SqliteGatewayDbContext, SqlServerGatewayDbContext>(Name);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section);
        builder.Services.AddSingleton<AuditAppendLock>();
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section);
        builder.Services.AddSingleton(AuditCheckpointer.Create);
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddSingleton(ReleasePolicy.Load(builder.Configuration["Gateway:ReleasePolicyFile"]));
        builder.Services.AddScoped<ReleaseDelivery>();
        builder.Services.AddSingleton<IngressSchemas>();
        builder.Services.AddScoped<IngressProcessor>();
        IngressTypes.Register(builder.Services);
        builder.Services.AddScoped<AgencyDirectory>();
        builder.AddSealingKeys(Coordination.Contracts.Gateway.KeyOwners.Gateway, Coordination.Contracts.Gateway.KeyOwners.GatewayVault);
        builder.Services.AddScoped<IdentityVault>();
        builder.Services.AddSingleton<KeyChallenges>();
        builder.Services.AddSingleton<IngressBatch>();
        builder.Services.AddHostedService<AmqpIngressListener>();
        builder.Services.AddHostedService<AgencyMailboxPusher>();
        builder.Services.AddScoped<ReleaseRequestHandler>();
        builder.Services.AddScoped<DirectoryQueries>();
        builder.Services.AddScoped<AdoptSharingRulesHandler>();
        builder.Services.AddScoped<SharingRulesQueries>();
        builder.Services.AddScoped<AuditQueries>();
        builder.Services.AddScoped<PersonFileHandler>();
        builder.Services.AddScoped<RegisterAgencyKeyHandler>();
        builder.Services.AddScoped<MailboxQueries>();
        builder.Services.AddScoped<RegisterAgencyHandler>();
        builder.Services.AddScoped<RetireAgencyHandler>();
        builder.Services.AddScoped<RegisterJurisdictionHandler>();
        builder.Services.AddScoped<RetireJurisdictionHandler>();
        builder.Services.AddScoped<RegisterPartnerHandler>();
        builder.Services.AddScoped<RetirePartnerHandler>();
        builder.Services.AddScoped<LateCaseFacts>();
        builder.Services.AddScoped<PartnerAssignedHandler>();
        builder.Services.AddScoped<PartnerUnassignedHandler>();
        builder.Services.AddScoped<CaseRestrictedHandler>();
        builder.Services.AddScoped<SupervisionOpenedHandler>();
        builder.Services.AddScoped<SupervisionEndedHandler>();
        builder.Services.AddScoped<SupervisionPurgedHandler>();

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Endpoints.Add(SharingRulesApi.Map);
        registry.Endpoints.Add(AuditApi.Map);
        registry.Endpoints.Add(IngressApi.Map);
        registry.Endpoints.Add(EgressApi.Map);
        registry.Endpoints.Add(AgencyKeysApi.Map);
        registry.Endpoints.Add(DirectoryApi.Map);
        registry.Endpoints.Add(PersonFileApi.Map);
        registry.Consumers.Add(x =>
        {
            // One lane per requesting service: who asks is what the broker proves, not what the request says (ADR 10).
            x.AddConsumer<ReleaseFromSupervisionConsumer, ReleaseLaneDefinition<ReleaseFromSupervisionConsumer>>();
            x.AddConsumer<ReleaseFromCourtReportingConsumer, ReleaseLaneDefinition<ReleaseFromCourtReportingConsumer>>();
            x.AddConsumer<ReleaseFromOpinionsConsumer, ReleaseLaneDefinition<ReleaseFromOpinionsConsumer>>();
            x.AddConsumer<PartnerAssignedConsumer, PartnerAssignedConsumerDefinition>();
            x.AddConsumer<PartnerUnassignedConsumer, PartnerUnassignedConsumerDefinition>();
            x.AddConsumer<CaseRestrictedConsumer, CaseRestrictedConsumerDefinition>();
            x.AddConsumer<SupervisionOpenedConsumer, SupervisionOpenedConsumerDefinition>();
            x.AddConsumer<SupervisionEndedConsumer, SupervisionEndedConsumerDefinition>();
            x.AddConsumer<SupervisionPurgedConsumer, SupervisionPurgedConsumerDefinition>();
        });
        return builder;
    }
}
