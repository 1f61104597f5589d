namespace Coordination.Contracts.Gateway;

/// <summary>
/// The services that may ask the gateway for a release, and the lane each one asks on. A lane is a
/// queue of the gateway's (and the exchange of the same name) that only the requesting service's
/// broker account may write: the gateway learns who asks from the lane a request arrived on, which
/// the broker proves, never from anything written inside the request (ADR 10).
/// </summary>
public static class ReleaseLanes
{
    public const string Supervision = "supervision";
    public const string Opinions = "opinions";
    public const string CourtReporting = "court-reporting";

    public static IReadOnlyList<string> Requesters { get; } = [Supervision, Opinions, CourtReporting];

    /// <summary>The lane's queue and exchange name, after the host's queue prefix (empty outside tests).</summary>
    public static string QueueOf(string requester, string queuePrefix = "") =>
        Requesters.Contains(requester)
            ? $"{queuePrefix}gateway-release-from-{requester}"
            : throw new ArgumentException($"{requester} may not ask for releases.", nameof(requester));

    /// <summary>Where <paramref name="requester"/> sends its release requests: its lane's exchange, never the message type's.</summary>
    public static Uri AddressOf(string requester, string queuePrefix = "") => new($"exchange:{QueueOf(requester, queuePrefix)}");
}

/// <summary>Who holds a sealing key the platform's own parties seal for (agencies hold theirs under their account id).</summary>
public static class KeyOwners
{
    /// <summary>The gateway: services seal release contents for it.</summary>
    public const string Gateway = "gateway";

    /// <summary>The identity vault's key, which only the gateway holds.</summary>
    public const string GatewayVault = "gateway-vault";

    public const string Supervision = "supervision";
    public const string Opinions = "opinions";
}

/// <summary>The purposes a release may name, as words on the wire (<see cref="SharingPurpose"/> in kebab-case).</summary>
public static class Purposes
{
    public const string CommunitySupervision = "community-supervision";
    public const string CourtReporting = "court-reporting";
    public const string Art41Opinion = "art41-opinion";
    public const string PenalPolicy = "penal-policy";
}

/// <summary>
/// Why the gateway denied a release to one recipient: stable words, in the audit log and in <see cref="ConfidentialPayloadDenied"/>.
/// </summary>
public static class ReleaseReasonCodes
{
    public const string Granted = "granted";
    public const string PartlyGranted = "partly-granted";
    public const string UnreadablePayload = "unreadable-payload";
    public const string NothingRequested = "nothing-requested";
    public const string ThirdParty = "third-party";
    public const string NoRulesInForce = "no-rules-in-force";
    public const string OtherTerritory = "other-territory";
    public const string UnknownRoleOrPurpose = "unknown-role-or-purpose";
    public const string NoRuleGrants = "no-rule-grants";
    public const string DecisionError = "decision-error";
    public const string UnknownJurisdiction = "unknown-jurisdiction";
    public const string OutsideJurisdiction = "outside-jurisdiction";

    /// <summary>The requesting service's release policy does not let it ask for this purpose.</summary>
    public const string PurposeNotAllowedForRequester = "purpose-not-allowed-for-requester";

    /// <summary>The recipient is not one the requester's duty serves (an unassigned partner, another office).</summary>
    public const string RecipientNotAllowedForRequester = "recipient-not-allowed-for-requester";

    /// <summary>The request names a person where the requester's duty names none, or none where it needs one.</summary>
    public const string PersonNotAllowedForRequester = "person-not-allowed-for-requester";
    public const string PersonOutsideTerritory = "person-outside-territory";

    /// <summary>A person of a court report whose case belongs to another jurisdiction.</summary>
    public const string PersonOutsideJurisdiction = "person-outside-jurisdiction";

    /// <summary>The partner is not assigned to the person's open case in the gateway's own table.</summary>
    public const string NotAssignedToCase = "not-assigned-to-case";

    /// <summary>Identity or contact details asked for a person the vault does not hold: they come from nowhere else.</summary>
    public const string NoVaultEntry = "no-vault-entry";

    /// <summary>
    /// The recipient has registered no sealing key yet: the release is held, sealed for the gateway, and delivered once it does.
    /// </summary>
    public const string NoRecipientKey = "no-recipient-key";

    /// <summary>The case is restricted and no rule granting the category names its restriction.</summary>
    public const string RestrictedCase = "restricted-case";

    /// <summary>A notice about a case to an agency that did not designate the person (the vault records who did).</summary>
    public const string NotDesignatingAuthority = "not-designating-authority";

    /// <summary>The requester's policy line for this recipient does not list one of the categories asked for.</summary>
    public const string CategoryNotAllowedForRequester = "category-not-allowed-for-requester";

    /// <summary>The audit word of a held release delivered when its recipient registered a key.</summary>
    public const string ReleasedAfterKeyRegistration = "released-after-key-registration";

    /// <summary>The recipient was retired from the directory: nothing is released to its account again (ADR 16).</summary>
    public const string RecipientRetired = "recipient-retired";
}
