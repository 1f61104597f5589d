using Coordination.Contracts.Gateway;
using static Coordination.Contracts.Gateway.DataCategory;
using static Coordination.Contracts.Gateway.RecipientRole;
using static Coordination.Contracts.Gateway.SharingPurpose;

namespace Coordination.Demo;

/// <summary>
/// One grant of the demo règlement intérieur, in the words of the contracts: what <c>POST /sharing-rules/{territory}</c>
/// takes (the gateway's own <c>SharingRule</c> is its business; the demo speaks to it through its API only).
/// </summary>
public sealed record DemoSharingRule(DataCategory Category, IReadOnlyList<RecipientRole> Roles, SharingPurpose Purpose, string LegalBasis);

/// <summary>
/// The demo règlement intérieur, the same for 75 and 93: what a territory's working groups might
/// propose. An association gets contact details and the control plan, never the circumstances of
/// the offence; reports go to the JAP and SPIP only.
/// </summary>
public static class DemoSharingRules
{
    /// <summary>The working group the demo rules are adopted on the proposal of.</summary>
    public const string ProposedBy = "demo working group";

    public static IReadOnlyList<DemoSharingRule> Rules { get; } =
    [
        new(
            Identity,
            [PenitentiaryAdministration, StateService, ProbationService, SentenceEnforcementCourt],
            CommunitySupervision,
            "CSI L132-10-1 I 3°"
        ),
        new(
            ContactDetails,
            [PenitentiaryAdministration, StateService, LocalAuthority, Association],
            CommunitySupervision,
            "CSI L132-10-1 I 3°"
        ),
        new(
            ControlPlan,
            [PenitentiaryAdministration, StateService, LocalAuthority, Association],
            CommunitySupervision,
            "CSI L132-10-1 I 3°"
        ),
        new(DesignationGrounds, [PenitentiaryAdministration, StateService], CommunitySupervision, "CSI L132-10-1 I 3°"),
        new(CircumstancesOfOffence, [PenitentiaryAdministration], CommunitySupervision, "CSI L132-10-1 I 3°"),
        new(ControlOutcomes, [PenitentiaryAdministration, StateService], CommunitySupervision, "CSI L132-10-1 I 3°"),
        new(Incidents, [PenitentiaryAdministration, StateService], CommunitySupervision, "CSI L132-10-1 I 3°"),
        new(
            SupportActions,
            [PenitentiaryAdministration, StateService, LocalAuthority, Association],
            CommunitySupervision,
            "CSI L132-10-1 I 3°"
        ),
        // The receipts to the authority that designated: the reference it needs, never an identity it already has.
        new(DesignationReceipt, [Prosecutor, SentenceEnforcementCourt], CommunitySupervision, "CSI L132-10-1 I 3°"),
        new(CourtReport, [SentenceEnforcementCourt, ProbationService], CourtReporting, "CSI L132-10-1 I 4°"),
        new(Identity, [SentenceEnforcementCourt, ProbationService], CourtReporting, "CSI L132-10-1 I 4°"),
        new(DataCategory.Art41Opinion, [Prosecutor], SharingPurpose.Art41Opinion, "CSI L132-10-1 I 2°"),
    ];
}
