using System.Text.Json.Serialization;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Values;

namespace Coordination.Contracts.Gateway;

/// <summary>
/// A confidential value sealed for one recipient: AES-256-GCM under a key agreed by ECDH P-256
/// between an ephemeral key and the recipient's key <see cref="KeyId"/>; message id, recipient and
/// purpose are bound as associated data. Every field is safe to see: without the recipient's
/// private key the ciphertext says nothing, and a changed byte fails authentication.
/// </summary>
public sealed record SealedPayload
{
    [Public]
    public required string KeyId { get; init; }

    [Public]
    public required string Recipient { get; init; }

    [Public]
    public required string Purpose { get; init; }

    [Public]
    public required byte[] EphemeralPublicKey { get; init; }

    [Public]
    public required byte[] Nonce { get; init; }

    [Public]
    public required byte[] Ciphertext { get; init; }

    [Public]
    public required byte[] Tag { get; init; }
}

[JsonConverter(typeof(KebabCaseEnumConverter<DataCategory>))]
public enum DataCategory
{
    Identity = 1,
    ContactDetails,
    DesignationGrounds,
    ControlPlan,
    ControlOutcomes,
    Incidents,
    CircumstancesOfOffence,
    CourtReport,

    /// <summary>
    /// Law 2017-258's narrow inbound flow (conduct in detention, how the sentence is served): only by an opt-in rule with its legal basis.
    /// </summary>
    DetentionConduct,

    /// <summary>An adopted art. 41-1 opinion (2°), transmitted to the prosecutor's office: aggregate, no personal data.</summary>
    Art41Opinion,

    /// <summary>
    /// To the designating authority: its designation accepted (the PersonRef and its own reference), later the case's end.
    /// </summary>
    DesignationReceipt,

    /// <summary>The follow-up's support actions (housing, employment, care…): kind, partner, status, dates.</summary>
    SupportActions,
}

/// <summary>
/// A release that is a notice about the case to the authority that designated the person, rather
/// than case information to its partners: it names the type the authority finds in its mailbox.
/// </summary>
[JsonConverter(typeof(KebabCaseEnumConverter<CaseNotice>))]
public enum CaseNotice
{
    DesignationAccepted = 1,
    CaseEnded,
}

/// <summary>A service asks the gateway to deliver a confidential payload; the sharing rules decide per recipient.</summary>
public sealed record ReleaseConfidentialPayload
{
    [Public]
    public required Guid ReleaseId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required string Purpose { get; init; }

    [Public]
    public required IReadOnlyList<DataCategory> Categories { get; init; }

    [Public]
    public required IReadOnlyList<string> Recipients { get; init; }

    [Public]
    public PersonRef? Person { get; init; }

    /// <summary>
    /// For a payload about several persons (a court report): the references whose identities the
    /// gateway re-attaches, as <c>identities</c> keyed by reference, where the rules grant identity.
    /// </summary>
    [Public]
    public IReadOnlyList<PersonRef>? People { get; init; }

    /// <summary>
    /// For court reports (4°): the sentence-enforcement jurisdiction the payload belongs to. The gateway
    /// releases it only to that jurisdiction's JAP and SPIP, whatever the recipients named.
    /// </summary>
    [Internal]
    public string? Jurisdiction { get; init; }

    /// <summary>
    /// Ignored: kept only so that older senders' messages still read. The gateway learns who asks
    /// from the lane the request arrives on (<see cref="ReleaseLanes"/>), which the broker proves.
    /// </summary>
    [Public]
    public string? RequestedBy { get; init; }

    /// <summary>Set for a notice to the designating authority (its mailbox type); null for case information.</summary>
    [Public]
    public CaseNotice? Notice { get; init; }

    /// <summary>
    /// The restriction Supervision knows the case under, if any. It can only tighten: the gateway also
    /// applies the restriction it heard of (<c>CaseRestricted</c>), whichever arrives first.
    /// </summary>
    [Internal]
    public Coordination.Contracts.Supervision.CaseRestrictionReason? Restriction { get; init; }

    /// <summary>The payload, sealed for the gateway itself: a JSON object keyed by data category (kebab-case).</summary>
    [Confidential]
    public required SealedPayload Payload { get; init; }
}

/// <summary>
/// A release delivered to a platform service registered as a recipient (a service endpoint rather
/// than an agency's inbox): the granted categories, sealed for that service's key, bound to this
/// message's id and the release's purpose.
/// </summary>
public sealed record ConfidentialPayloadDelivered
{
    [Public]
    public required Guid ReleaseId { get; init; }

    [Public]
    public required Guid DecisionId { get; init; }

    [Public]
    public required string Recipient { get; init; }

    [Public]
    public required string Purpose { get; init; }

    [Public]
    public required IReadOnlyList<DataCategory> Categories { get; init; }

    [Public]
    public PersonRef? Person { get; init; }

    [Confidential]
    public required SealedPayload Payload { get; init; }
}

public sealed record ConfidentialPayloadReleased
{
    [Public]
    public required Guid ReleaseId { get; init; }

    [Public]
    public required Guid DecisionId { get; init; }

    [Public]
    public required string Recipient { get; init; }

    [Public]
    public required IReadOnlyList<DataCategory> Categories { get; init; }

    [Public]
    public required int RulesVersion { get; init; }
}

public sealed record ConfidentialPayloadDenied
{
    [Public]
    public required Guid ReleaseId { get; init; }

    [Public]
    public required Guid DecisionId { get; init; }

    [Public]
    public required string Recipient { get; init; }

    [Public]
    public required string ReasonCode { get; init; }
}

/// <summary>Told to the sender whose message the gateway refused (<c>gateway.rejected</c>).</summary>
public sealed record IngressRejected
{
    [Public]
    public required Guid MessageId { get; init; }

    [Public]
    public required string MessageType { get; init; }

    [Public]
    public required string SourceAgency { get; init; }

    [Public]
    public required string ReasonCode { get; init; }

    [Public]
    public required string Reason { get; init; }

    [Public]
    public required DateTimeOffset RejectedAt { get; init; }

    /// <summary>The audit log's entry for this refusal.</summary>
    [Public]
    public Guid DecisionId { get; init; }

    /// <summary>
    /// The refused message as received, sealed for the sender's own key (purpose <c>rejected-message</c>,
    /// bound to <see cref="DecisionId"/>): kept where the sender, and only the sender, can read it.
    /// </summary>
    [Confidential]
    public SealedPayload? Original { get; init; }
}

/// <summary>Who may receive a released payload, as the sharing rules name them.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<RecipientRole>))]
public enum RecipientRole
{
    Prosecutor = 1,
    SentenceEnforcementCourt,
    ProbationService,
    PenitentiaryAdministration,
    StateService,
    LocalAuthority,
    Association,
    OtherPublicOrPrivatePerson,
    SecurityStaff,
    OperationalCell,
}

/// <summary>What a release is for; every grant of the sharing rules names one.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<SharingPurpose>))]
public enum SharingPurpose
{
    CommunitySupervision = 1,
    CourtReporting,
    Art41Opinion,
    PenalPolicy,
}

/// <summary>
/// The CDPD secretariat registered a sentence-enforcement jurisdiction in the gateway's directory, or
/// retired it (ADR 16): CourtReporting keeps the jurisdictions it schedules reports for from these, in
/// the order published. Directory data only (ids, names, agency accounts): nothing about a person.
/// </summary>
public sealed record JurisdictionDirectoryChanged
{
    [Public]
    public required string Jurisdiction { get; init; }

    [Public]
    public required string Name { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    /// <summary>The JAP's agency account: a court report of this jurisdiction goes to it.</summary>
    [Public]
    public required string SentenceEnforcementCourt { get; init; }

    /// <summary>The SPIP's agency account: a court report of this jurisdiction goes to it too.</summary>
    [Public]
    public required string ProbationService { get; init; }

    /// <summary>True when the jurisdiction was retired: no report is scheduled for it any more.</summary>
    [Public]
    public required bool Retired { get; init; }

    [Public]
    public required DateTimeOffset ChangedAt { get; init; }

    [Public]
    public required string ChangedBy { get; init; }
}

/// <summary>
/// The CDPD secretariat registered a partner in the gateway's directory, or retired it (ADR 16):
/// Supervision keeps its copy of the partners it may assign from these, in the order published.
/// </summary>
public sealed record PartnerDirectoryChanged
{
    [Public]
    public required string Partner { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required Supervision.PartnerRole Role { get; init; }

    [Public]
    public required string Name { get; init; }

    /// <summary>True when the partner was retired: it can be assigned no more.</summary>
    [Public]
    public required bool Retired { get; init; }

    [Public]
    public required DateTimeOffset ChangedAt { get; init; }

    [Public]
    public required string ChangedBy { get; init; }
}
