using System.Text.Json;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>1°: the prosecutor's office briefs the bodies on the penal policy of the territory.</summary>
public sealed class RecordBriefing(GatewayDbContext db) : IngressType
{
    public override string Name => IngressTypeNames.RecordBriefing;

    public override IReadOnlySet<PrincipalRole> Senders => IngressSenders.ProsecutorsOffice;

    public override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var briefing = message.Payload.Deserialize<BriefingPayload>(Json)!;
        db.PublishOnCommit(
            new RecordPenalPolicyBriefing
            {
                Territory = message.Territory,
                PrioritySecurityZone = briefing.PrioritySecurityZone,
                BriefedOn = briefing.BriefedOn,
                ProsecutorOffice = briefing.ProsecutorOffice,
                PriorityThemes = briefing.PriorityThemes,
                Summary = briefing.Summary,
            },
            correlationId: message.MessageId
        );
        return Task.FromResult(new Forwarded(IngressRecipients.Briefings, []));
    }

    private sealed record BriefingPayload(
        string? PrioritySecurityZone,
        DateOnly BriefedOn,
        string ProsecutorOffice,
        IReadOnlyList<PenalPolicyTheme> PriorityThemes,
        string Summary
    );
}
