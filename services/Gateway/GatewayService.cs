using Coordination.Gateway.Api;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Persistence;

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
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddHostedService<DemoRulesSeeder>();
        builder.Services.AddSingleton<Ingress.IngressSchemas>();
        builder.Services.AddScoped<Ingress.IngressProcessor>();
        Ingress.Types.IngressTypes.Register(builder.Services);
        builder.Services.AddSingleton<Ingress.AgencyDirectory>();
        builder.Services.TryAddSingleton(Coordination.ServiceDefaults.Sealing.SealingKeyStore.From(builder.Configuration));
        builder.Services.AddScoped<Vault.IdentityVault>();
        builder.Services.AddHostedService<Ingress.AmqpIngressListener>();
        builder.Services.AddHostedService<Egress.AgencyMailboxPusher>();

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Endpoints.Add(SharingRulesApi.Map);
        registry.Endpoints.Add(AuditApi.Map);
        registry.Endpoints.Add(Ingress.IngressApi.Map);
        registry.Endpoints.Add(Egress.EgressApi.Map);
        registry.Consumers.Add(x =>
        {
            x.AddConsumer<Consumers.ReleaseConfidentialPayloadConsumer>();
            x.AddConsumer<Consumers.PartnerAssignedConsumer>();
            x.AddConsumer<Consumers.SupervisionOpenedConsumer>();
            x.AddConsumer<Consumers.SupervisionEndedConsumer>();
            x.AddConsumer<Consumers.SupervisionPurgedConsumer>();
        });
        return builder;
    }
}
