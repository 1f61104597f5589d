using Coordination.Opinions.Api;
using Coordination.Opinions.Application;
using Coordination.Opinions.Consumers;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Sealing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordination.Opinions;

public static class OpinionsService
{
    public const string Name = "opinions";

    /// <summary>
    /// Opinions on the implementation of art. 41-1 measures (2°): reviews, indicators, drafts, adoption, transmission to the prosecutor.
    /// </summary>
    public static WebApplicationBuilder AddOpinionsService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<OpinionsDbContext, SqliteOpinionsDbContext, SqlServerOpinionsDbContext>(Name);
        // Release requests go on this service's own lane, which only its broker account may write (ADR 10).
        builder.Services.AddOutboxRoute<OpinionsDbContext, Coordination.Contracts.Gateway.ReleaseConfidentialPayload>(prefix =>
            Coordination.Contracts.Gateway.ReleaseLanes.AddressOf(Coordination.Contracts.Gateway.ReleaseLanes.Opinions, prefix)
        );
        builder.AddSealingKeys(Coordination.Contracts.Gateway.KeyOwners.Opinions);
        builder
            .Services.AddOptions<OpinionsOptions>()
            .BindConfiguration(OpinionsOptions.Section)
            .Validate(o => o.DeadlinePollInterval > TimeSpan.Zero, "Opinions:DeadlinePollInterval must be positive.")
            .Validate(
                o => o.ProsecutorAgency.Contains("{territory}", StringComparison.Ordinal),
                "Opinions:ProsecutorAgency must contain {territory}."
            )
            .ValidateOnStart();
        builder.Services.AddScoped<RequestArt41ReviewHandler>();
        builder.Services.AddScoped<SubmitImplementationIndicatorsHandler>();
        builder.Services.AddScoped<ContributeToReviewHandler>();
        builder.Services.AddScoped<ConfidentialPayloadDeniedHandler>();
        builder.Services.AddScoped<DraftOpinionHandler>();
        builder.Services.AddScoped<AdoptOpinionHandler>();
        builder.Services.AddScoped<TransmitOpinionAgainHandler>();
        builder.Services.AddScoped<ReviewQueries>();
        builder.Services.AddPeriodicPass<OpinionDeadlineScheduler>(sp =>
            sp.GetRequiredService<IOptions<OpinionsOptions>>().Value.DeadlinePollInterval
        );

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Consumers.Add(x =>
        {
            x.AddConsumer<RequestArt41ReviewConsumer, RequestArt41ReviewConsumerDefinition>();
            x.AddConsumer<SubmitImplementationIndicatorsConsumer, SubmitImplementationIndicatorsConsumerDefinition>();
            x.AddConsumer<ContributeToReviewConsumer, ContributeToReviewConsumerDefinition>();
            x.AddConsumer<ConfidentialPayloadDeniedConsumer, ConfidentialPayloadDeniedConsumerDefinition>();
        });
        registry.Endpoints.Add(OpinionsApi.Map);
        return builder;
    }
}
