using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Ingress;

/// <summary>An agency message type the gateway accepts: its schema version and who may send it.</summary>
public sealed record IngressType(string Name, int SchemaVersion, IReadOnlySet<PrincipalRole> Senders);

/// <summary>
/// Who may send what (the architecture's inbound table). Only the judicial authority designates
/// persons (R5, F3); the JAP and the SPIP may send nothing else about a person (F1, decision 2016-569 QPC).
/// </summary>
public static class InboundRules
{
    public const string WithdrawDesignation = "supervision.withdraw-designation";
    public const string RecordControl = "supervision.record-control";
    public const string ReportIncident = "supervision.report-incident";

    /// <summary>The partners of 3° that may be assigned to a case (the JAP and SPIP are informed, they do not carry out controls).</summary>
    private static readonly HashSet<PrincipalRole> Partners =
        [PrincipalRole.PenitentiaryAdministration, PrincipalRole.StateService, PrincipalRole.LocalAuthority, PrincipalRole.Association, PrincipalRole.OtherPublicOrPrivatePerson];

    public static readonly IReadOnlyDictionary<string, IngressType> Types = new[]
    {
        new IngressType("briefings.record-briefing", 1, new HashSet<PrincipalRole> { PrincipalRole.Prosecutor }),
        // 2°: the bodies give their opinion on art. 41-1 measures; the prosecutor's office asks for it.
        new IngressType(RequestReview, 1, new HashSet<PrincipalRole> { PrincipalRole.Prosecutor }),
        new IngressType(SubmitIndicators, 1, new HashSet<PrincipalRole> { PrincipalRole.Prosecutor }),
        // The partners who carry out the measures say how it goes; the JAP and SPIP are not consulted on 2°.
        new IngressType(Contribute, 1, Partners),
        // R5: the persons followed are designated by the judicial authority only.
        new IngressType("supervision.designate-person", 1, new HashSet<PrincipalRole> { PrincipalRole.Prosecutor, PrincipalRole.SentenceEnforcementCourt }),
        // Law 2017-258: from the JAP or SPIP, only where the sharing rules in force opt in (checked against the rules).
        new IngressType("supervision.report-detention-conduct", 1, new HashSet<PrincipalRole> { PrincipalRole.SentenceEnforcementCourt, PrincipalRole.ProbationService }),
        new IngressType(WithdrawDesignation, 1, new HashSet<PrincipalRole> { PrincipalRole.Prosecutor, PrincipalRole.SentenceEnforcementCourt }),
        // The partners who carry out the follow-up record what they did, for the cases they are assigned to only.
        new IngressType(RecordControl, 1, Partners),
        new IngressType(ReportIncident, 1, Partners),
        // The flow the Conseil constitutionnel struck down: known, so that it is refused for what it is.
        new IngressType("supervision.share-information", 1, new HashSet<PrincipalRole>()),
        // 4° is one-way: nothing the JAP or SPIP sends changes a report.
        new IngressType("court-reporting.amend-report", 1, new HashSet<PrincipalRole>()),
    }.ToDictionary(t => t.Name);

    /// <summary>
    /// The 2017 flow is open only while the rules in force hold an opt-in for it: a grant of
    /// <c>detention-conduct</c> to the sender's role for community supervision, with a legal basis.
    /// </summary>
    public static bool OptedIn(Domain.SharingRulesVersion? rules, Contracts.Gateway.RecipientRole senderRole, DateOnly on) =>
        rules?.Rules.Any(r => r.Grants(Contracts.Gateway.DataCategory.DetentionConduct, senderRole, Contracts.Gateway.SharingPurpose.CommunitySupervision, on)
            && !string.IsNullOrWhiteSpace(r.LegalBasis)) == true;

    private static readonly HashSet<PrincipalRole> JudicialFollowUp = [PrincipalRole.SentenceEnforcementCourt, PrincipalRole.ProbationService];

    public const string DetentionConduct = "supervision.report-detention-conduct";
    public const string RequestReview = "opinions.request-review";
    public const string SubmitIndicators = "opinions.submit-indicators";
    public const string Contribute = "opinions.contribute";

    public static (string ReasonCode, string Reason)? Refusal(IngressType type, PrincipalRole? senderRole)
    {
        if (senderRole is { } role && type.Senders.Contains(role)) return null;
        // A type nobody may send is a flow the law closed (it is known so that it is refused for what it is).
        if (type.Senders.Count == 0 || senderRole is { } r && JudicialFollowUp.Contains(r))
            return ("forbidden-inbound-flow", "The JAP and the SPIP may not send the coordination bodies information of their choosing about a person (decision 2016-569 QPC); the reporting of 4° is one-way.");
        return ("role-not-allowed", "This agency's role may not send this type of message.");
    }
}
