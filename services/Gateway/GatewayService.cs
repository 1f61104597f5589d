using Coordination.Gateway.Api;
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
        builder.Services.AddSingleton(Release.ReleasePolicy.Load(builder.Configuration["Gateway:ReleasePolicyFile"]));
        builder.Services.AddScoped<Release.ReleaseDelivery>();
        builder.Services.AddSingleton<Ingress.IngressSchemas>();
        builder.Services.AddScoped<Ingress.IngressProcessor>();
        Ingress.Types.IngressTypes.Register(builder.Services);
        builder.Services.AddScoped<Ingress.AgencyDirectory>();
        builder.AddSealingKeys(Coordination.Contracts.Gateway.KeyOwners.Gateway, Coordination.Contracts.Gateway.KeyOwners.GatewayVault);
        builder.Services.AddScoped<Vault.IdentityVault>();
        builder.Services.AddSingleton<Keys.KeyChallenges>();
        builder.Services.AddSingleton<Ingress.IngressBatch>();
        builder.Services.AddHostedService<Ingress.AmqpIngressListener>();
        builder.Services.AddHostedService<Egress.AgencyMailboxPusher>();

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Endpoints.Add(SharingRulesApi.Map);
        registry.Endpoints.Add(AuditApi.Map);
        registry.Endpoints.Add(Ingress.IngressApi.Map);
        registry.Endpoints.Add(Egress.EgressApi.Map);
        registry.Endpoints.Add(Keys.AgencyKeysApi.Map);
        registry.Endpoints.Add(Directory.DirectoryApi.Map);
        registry.Endpoints.Add(Api.PersonFileApi.Map);
        registry.Consumers.Add(x =>
        {
            // One lane per requesting service: who asks is what the broker proves, not what the request says (ADR 10).
            x.AddConsumer<
                Consumers.ReleaseFromSupervisionConsumer,
                Consumers.ReleaseLaneDefinition<Consumers.ReleaseFromSupervisionConsumer>
            >();
            x.AddConsumer<
                Consumers.ReleaseFromCourtReportingConsumer,
                Consumers.ReleaseLaneDefinition<Consumers.ReleaseFromCourtReportingConsumer>
            >();
            x.AddConsumer<Consumers.ReleaseFromOpinionsConsumer, Consumers.ReleaseLaneDefinition<Consumers.ReleaseFromOpinionsConsumer>>();
            x.AddConsumer<Consumers.PartnerAssignedConsumer>();
            x.AddConsumer<Consumers.PartnerUnassignedConsumer>();
            x.AddConsumer<Consumers.CaseRestrictedConsumer>();
            x.AddConsumer<Consumers.SupervisionOpenedConsumer>();
            x.AddConsumer<Consumers.SupervisionEndedConsumer>();
            x.AddConsumer<Consumers.SupervisionPurgedConsumer>();
        });
        return builder;
    }
}
