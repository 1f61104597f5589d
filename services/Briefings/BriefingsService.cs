using Coordination.Briefings.Api;
using Coordination.Briefings.Application;
using Coordination.Briefings.Consumers;
using Coordination.Briefings.Persistence;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Coordination.Briefings;

public static class BriefingsService
{
    public const string Name = "briefings";

    /// <summary>Everything the Briefings service (1°) brings to a host: its own or the all-in-one.</summary>
    public static WebApplicationBuilder AddBriefingsService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase<BriefingsDbContext, SqliteBriefingsDbContext, SqlServerBriefingsDbContext>(Name);
        builder
            .Services.AddOptions<BriefingsOptions>()
            .BindConfiguration(BriefingsOptions.Section)
            .Validate(
                o => o.Territories.All(Contracts.Values.TerritoryCode.IsKnown),
                "Briefings:Territories must be INSEE département codes."
            )
            .Validate(
                o => o.DueLead > TimeSpan.Zero && o.DueLead < TimeSpan.FromDays(365),
                "Briefings:DueLead must be between 0 and 365 days."
            )
            .ValidateOnStart();
        builder.Services.AddPeriodicPass<AnnualBriefingScheduler>(sp =>
            sp.GetRequiredService<IOptions<BriefingsOptions>>().Value.DeadlinePollInterval
        );
        builder.Services.AddScoped<RecordBriefingHandler>().AddScoped<BriefingQueries>();

        var registry = builder.Registry();
        registry.Services.Add(Name);
        registry.Consumers.Add(x => x.AddConsumer<RecordPenalPolicyBriefingConsumer, RecordPenalPolicyBriefingConsumerDefinition>());
        registry.Endpoints.Add(BriefingsApi.Map);
        return builder;
    }
}
