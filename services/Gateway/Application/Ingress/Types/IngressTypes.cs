using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>The types the door accepts, by wire name: one class each, registered once here.</summary>
public sealed class IngressTypes(IEnumerable<IngressType> types)
{
    private readonly Dictionary<string, IngressType> _byName = types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IngressType? Find(string name) => _byName.GetValueOrDefault(name);

    public IEnumerable<IngressType> All => _byName.Values;

    public static void Register(IServiceCollection services)
    {
        services.TryAddEnumerable([
            ServiceDescriptor.Scoped<IngressType, RecordBriefing>(),
            ServiceDescriptor.Scoped<IngressType, RequestReview>(),
            ServiceDescriptor.Scoped<IngressType, SubmitIndicators>(),
            ServiceDescriptor.Scoped<IngressType, Contribute>(),
            ServiceDescriptor.Scoped<IngressType, DesignatePerson>(),
            ServiceDescriptor.Scoped<IngressType, WithdrawDesignation>(),
            ServiceDescriptor.Scoped<IngressType, ReportDetentionConduct>(),
            ServiceDescriptor.Scoped<IngressType, RecordControl>(),
            ServiceDescriptor.Scoped<IngressType, ReportIncident>(),
            ServiceDescriptor.Scoped<IngressType, ReportSupportProgress>(),
            ServiceDescriptor.Scoped<IngressType, ShareInformation>(),
            ServiceDescriptor.Scoped<IngressType, AmendReport>(),
        ]);
        services.AddScoped<IngressTypes>();
    }
}
