using Coordination.Contracts;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress.Types;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Application.Ingress;

/// <summary>
/// Who may send what (the architecture's inbound table): each type names its senders; this says
/// why anyone else is refused. Only the judicial authority designates persons (R5, F3); the JAP and
/// the SPIP may send nothing else about a person (F1, decision 2016-569 QPC).
/// </summary>
public static class InboundRules
{
    public static Refusal? Refusal(IngressType type, PrincipalRole? senderRole)
    {
        if (senderRole is { } role && type.Senders.Contains(role))
            return null;
        // A type nobody may send is a flow the law closed (it is known so that it is refused for what it is).
        if (type.Senders.Count == 0 || senderRole is { } r && IngressSenders.JudicialFollowUp.Contains(r))
            return new Refusal(
                ReasonCodes.ForbiddenInboundFlow,
                "The JAP and the SPIP may not send the coordination bodies information of their choosing about a person "
                    + "(decision 2016-569 QPC); the reporting of 4° is one-way."
            );
        return new Refusal(ReasonCodes.RoleNotAllowed, "This agency's role may not send this type of message.");
    }
}
