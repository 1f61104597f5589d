using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>The "useful information" flow from the JAP or SPIP, struck down by decision 2016-569 QPC (F1).</summary>
public sealed class ShareInformation : ClosedFlow
{
    public override string Name => IngressTypeNames.ShareInformation;
}

/// <summary>4° is one-way: nothing the JAP or SPIP sends changes a report.</summary>
public sealed class AmendReport : ClosedFlow
{
    public override string Name => IngressTypeNames.AmendReport;
}
