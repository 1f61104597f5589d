using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Security;

namespace Coordination.UnitTests.Gateway;

/// <summary>The release policy in front of the sharing rules: each service may ask only what its duty needs.</summary>
public sealed class ReleaseRequestDeciderTests
{
    private static readonly TerritoryCode Paris = TerritoryCode.Parse("75");
    private static readonly DateOnly Today = new(2026, 12, 2);
    private static readonly SharingRulesVersion DemoRules = SharingRulesVersion.Adopt(
        Paris,
        1,
        DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch,
        "test",
        ["wg"],
        DemoSharingRules.Rules.Select(r => new SharingRule(r.Category, r.Roles, r.Purpose, r.LegalBasis)).ToList()
    );
    private static readonly ReleasePolicy Policy = ReleasePolicy.Load(null);
    private static readonly PersonRef Person = PersonRef.New(Paris);
    private static readonly Recipient Police = new("75-police", Paris, RecipientRole.StateService);
    private static readonly Recipient Jap = new("75-jap", Paris, RecipientRole.SentenceEnforcementCourt);
    private static readonly Recipient Prosecutor = new("75-prosecutor", Paris, RecipientRole.Prosecutor);

    private static ReleaseConfidentialPayload Request(
        string purpose,
        DataCategory[] categories,
        PersonRef? person = null,
        PersonRef[]? people = null,
        string? jurisdiction = null
    ) =>
        new()
        {
            ReleaseId = Guid.NewGuid(),
            Territory = Paris,
            Purpose = purpose,
            Categories = categories,
            Recipients = ["x"],
            Person = person,
            People = people,
            Jurisdiction = jurisdiction,
            RequestedBy = "supervision",
            Payload = new SealedPayload
            {
                KeyId = "k",
                Recipient = "gateway",
                Purpose = purpose,
                EphemeralPublicKey = [],
                Nonce = [],
                Ciphertext = [],
                Tag = [],
            },
        };

    private static ReleaseDecision Decide(
        string requester,
        ReleaseConfidentialPayload request,
        Recipient recipient,
        string[]? assigned = null,
        Dictionary<PersonRef, string>? designations = null
    ) =>
        ReleaseRequestDecider.Decide(
            Policy,
            new ReleaseFacts(
                requester,
                request,
                true,
                DemoRules,
                Today,
                designations ?? new Dictionary<PersonRef, string> { [Person] = "tj-paris" },
                (assigned ?? []).ToHashSet(),
                // The directory's answer for the jurisdiction named: the demo's, in the request's territory only.
                DemoJurisdictions.Find(request.Jurisdiction)
                    is { } j
                && j.Territory == request.Territory
                    ? j
                    : null,
                new HashSet<string>()
            ),
            recipient.Id,
            recipient
        );

    [Fact]
    public void Court_reporting_asking_for_community_supervision_in_supervisions_name_is_denied()
    {
        var forged = Request("community-supervision", [DataCategory.Identity, DataCategory.ContactDetails], Person);
        Assert.Equal(
            ReleaseReasonCodes.PurposeNotAllowedForRequester,
            Decide("court-reporting", forged, Police, assigned: ["75-police"]).ReasonCode
        );
        // The same request on Supervision's own lane, to an assigned partner, is what the rules decide.
        Assert.True(Decide("supervision", forged, Police, assigned: ["75-police"]).Released);
    }

    [Fact]
    public void Supervision_may_inform_only_partners_assigned_to_the_case()
    {
        var request = Request("community-supervision", [DataCategory.ControlPlan], Person);
        Assert.Equal(ReleaseReasonCodes.NotAssignedToCase, Decide("supervision", request, Police, assigned: ["75-association"]).ReasonCode);
        Assert.Equal(
            ReleaseReasonCodes.PersonNotAllowedForRequester,
            Decide("supervision", Request("community-supervision", [DataCategory.ControlPlan]), Police, ["75-police"]).ReasonCode
        );
    }

    [Fact]
    public void A_person_of_another_territory_is_denied_in_a_single_or_a_listed_release()
    {
        var elsewhere = PersonRef.New(TerritoryCode.Parse("93"));
        Assert.Equal(
            ReleaseReasonCodes.PersonOutsideTerritory,
            Decide("supervision", Request("community-supervision", [DataCategory.ControlPlan], elsewhere), Police, ["75-police"]).ReasonCode
        );
        var report = Request(
            "court-reporting",
            [DataCategory.CourtReport, DataCategory.Identity],
            people: [Person, elsewhere],
            jurisdiction: "tj-paris"
        );
        Assert.Equal(ReleaseReasonCodes.PersonOutsideTerritory, Decide("court-reporting", report, Jap).ReasonCode);
    }

    [Fact]
    public void Court_reports_go_to_the_jurisdictions_courts_with_identities_only_of_its_persons()
    {
        var report = Request(
            "court-reporting",
            [DataCategory.CourtReport, DataCategory.Identity],
            people: [Person],
            jurisdiction: "tj-paris"
        );
        Assert.True(Decide("court-reporting", report, Jap).Released);
        Assert.Equal(
            ReleaseReasonCodes.OutsideJurisdiction,
            Decide("court-reporting", report, new Recipient("75-spip-bis", Paris, RecipientRole.ProbationService)).ReasonCode
        );
        Assert.Equal(
            ReleaseReasonCodes.PersonOutsideJurisdiction,
            Decide("court-reporting", report, Jap, designations: new() { [Person] = "tj-bobigny" }).ReasonCode
        );
        Assert.Equal(ReleaseReasonCodes.NoVaultEntry, Decide("court-reporting", report, Jap, designations: []).ReasonCode);
        Assert.Equal(
            ReleaseReasonCodes.UnknownJurisdiction,
            Decide("court-reporting", report with { Jurisdiction = "tj-bobigny" }, Jap).ReasonCode
        );
    }

    [Fact]
    public void A_recipient_of_another_territory_is_denied_even_where_the_duty_would_serve_it()
    {
        var opinion = Request("art41-opinion", [DataCategory.Art41Opinion]);
        Assert.Equal(
            ReleaseReasonCodes.OtherTerritory,
            Decide("opinions", opinion, new Recipient("93-prosecutor", TerritoryCode.Parse("93"), RecipientRole.Prosecutor)).ReasonCode
        );
    }

    [Fact]
    public void Opinions_go_to_the_territorys_prosecutor_about_no_person()
    {
        var opinion = Request("art41-opinion", [DataCategory.Art41Opinion]);
        Assert.True(Decide("opinions", opinion, Prosecutor).Released);
        Assert.Equal(ReleaseReasonCodes.RecipientNotAllowedForRequester, Decide("opinions", opinion, Jap).ReasonCode);
        Assert.Equal(
            ReleaseReasonCodes.PersonNotAllowedForRequester,
            Decide("opinions", opinion with { Person = Person }, Prosecutor).ReasonCode
        );
        Assert.Equal(
            ReleaseReasonCodes.PersonNotAllowedForRequester,
            Decide("opinions", opinion with { People = [Person] }, Prosecutor).ReasonCode
        );
    }

    [Fact]
    public void Identity_for_a_person_the_vault_does_not_hold_is_denied()
    {
        var request = Request("community-supervision", [DataCategory.Identity, DataCategory.ControlPlan], Person);
        Assert.Equal(ReleaseReasonCodes.NoVaultEntry, Decide("supervision", request, Police, ["75-police"], designations: []).ReasonCode);
        Assert.True(
            Decide(
                "supervision",
                request with
                {
                    Categories = [DataCategory.ControlPlan],
                },
                Police,
                ["75-police"],
                designations: []
            ).Released
        );
    }

    [Fact]
    public void A_requester_or_purpose_the_policy_does_not_name_is_denied()
    {
        Assert.Equal(
            ReleaseReasonCodes.PurposeNotAllowedForRequester,
            Decide("opinions", Request("penal-policy", [DataCategory.Art41Opinion]), Prosecutor).ReasonCode
        );
        Assert.Equal(
            ReleaseReasonCodes.PurposeNotAllowedForRequester,
            Decide("briefings", Request("art41-opinion", [DataCategory.Art41Opinion]), Prosecutor).ReasonCode
        );
    }

    [Fact]
    public void The_composer_takes_identity_and_contact_from_the_vault_never_from_the_service()
    {
        var contents = JsonNode
            .Parse(
                """{"identity":{"lastName":"FORGED"}"""
                    + ""","contact-details":{"address":"FORGED"},"identities":{"x":"FORGED"},"control-plan":[1]}"""
            )!
            .AsObject();
        var vault = new Dictionary<PersonRef, DesignationDetails>
        {
            [Person] = new(
                new PersonIdentity("Martin", "Paul", new DateOnly(1988, 4, 12), null),
                new PersonContact("12 rue Exemple", null),
                "tj-paris",
                new DateOnly(2026, 4, 1),
                new DateOnly(2027, 4, 1),
                [DesignationGround.Personality]
            ),
        };
        var composed = ReleaseComposer.Compose([DataCategory.Identity, DataCategory.ControlPlan], contents, Person, [], vault);
        Assert.DoesNotContain("FORGED", composed.Contents.ToJsonString());
        Assert.Equal("Martin", composed.Contents["identity"]!["lastName"]!.GetValue<string>());
        Assert.Equal([Person], composed.Identified);

        var withoutVault = ReleaseComposer.Compose(
            [DataCategory.Identity, DataCategory.ContactDetails, DataCategory.ControlPlan],
            contents,
            Person,
            [],
            new Dictionary<PersonRef, DesignationDetails>()
        );
        Assert.Equal(["control-plan"], withoutVault.Contents.Select(p => p.Key));
    }

    [Fact]
    public void The_shipped_policy_names_exactly_the_three_duties_that_release()
    {
        Assert.Equal(
            [
                (
                    "court-reporting",
                    SharingPurpose.CourtReporting,
                    RecipientScope.CourtsOfTheJurisdiction,
                    PersonScope.PersonsOfTheJurisdiction
                ),
                ("opinions", SharingPurpose.Art41Opinion, RecipientScope.ProsecutorOfTheTerritory, PersonScope.None),
                (
                    "supervision",
                    SharingPurpose.CommunitySupervision,
                    RecipientScope.PartnersAssignedToTheCase,
                    PersonScope.ThePersonOfTheCase
                ),
                (
                    "supervision",
                    SharingPurpose.CommunitySupervision,
                    RecipientScope.DesignatingAuthorityOfTheCase,
                    PersonScope.ThePersonOfTheCase
                ),
            ],
            Policy.Grants.Select(g => (g.Requester, g.Purpose, g.Recipients, g.Persons)).OrderBy(g => g.Requester).ThenBy(g => g.Recipients)
        );
        // The receipts' line lets Supervision ask for the receipt only: nothing else reaches the designating authority on it.
        Assert.Equal(
            [DataCategory.DesignationReceipt],
            Policy.Grants.Single(g => g.Recipients == RecipientScope.DesignatingAuthorityOfTheCase).Categories
        );
    }

    private static ReleaseDecision DecideWith(
        ReleaseConfidentialPayload request,
        Recipient recipient,
        string? designatedBy = null,
        CaseRestrictionReason[]? restrictions = null,
        SharingRulesVersion? rules = null,
        string[]? assigned = null
    ) =>
        ReleaseRequestDecider.Decide(
            Policy,
            new ReleaseFacts(
                "supervision",
                request,
                true,
                rules ?? DemoRules,
                Today,
                new Dictionary<PersonRef, string> { [Person] = "tj-paris" },
                (assigned ?? []).ToHashSet(),
                DesignatedBy: designatedBy,
                Restrictions: restrictions?.ToHashSet()
            ),
            recipient.Id,
            recipient
        );

    [Fact]
    public void A_receipt_goes_only_to_the_agency_the_vault_says_designated_and_carries_only_the_receipt()
    {
        var receipt = Request("community-supervision", [DataCategory.DesignationReceipt], Person) with
        {
            Notice = CaseNotice.DesignationAccepted,
        };
        Assert.True(DecideWith(receipt, Jap, designatedBy: "75-jap").Released);
        // Another court of the territory, or the prosecutor who did not designate: denied, named for what it is.
        Assert.Equal(ReleaseReasonCodes.NotDesignatingAuthority, DecideWith(receipt, Prosecutor, designatedBy: "75-jap").ReasonCode);
        // The identity with the receipt: the receipts' line does not list it, and the JAP is no partner of the case.
        var withIdentity = Request("community-supervision", [DataCategory.DesignationReceipt, DataCategory.Identity], Person);
        Assert.Equal(ReleaseReasonCodes.NotAssignedToCase, DecideWith(withIdentity, Jap, designatedBy: "75-jap").ReasonCode);
        var onlyTheReceiptsLine = new ReleasePolicy(Policy.Grants.Where(g => g.Recipients == RecipientScope.DesignatingAuthorityOfTheCase));
        Assert.Equal(
            ReleaseReasonCodes.CategoryNotAllowedForRequester,
            ReleaseRequestDecider
                .Decide(
                    onlyTheReceiptsLine,
                    new ReleaseFacts(
                        "supervision",
                        withIdentity,
                        true,
                        DemoRules,
                        Today,
                        new Dictionary<PersonRef, string> { [Person] = "tj-paris" },
                        new HashSet<string>(),
                        DesignatedBy: "75-jap"
                    ),
                    Jap.Id,
                    Jap
                )
                .ReasonCode
        );
        // A partner is not sent a receipt, even assigned: the rules grant it to the judicial authority only.
        Assert.Equal(
            ReleaseReasonCodes.NoRuleGrants,
            DecideWith(receipt, Police, designatedBy: "75-jap", assigned: ["75-police"]).ReasonCode
        );
    }

    [Fact]
    public void A_restricted_case_is_released_only_under_a_rule_that_names_its_restriction()
    {
        var plan = Request("community-supervision", [DataCategory.ControlPlan, DataCategory.Identity], Person);
        Assert.True(DecideWith(plan, Police, assigned: ["75-police"]).Released);
        var restricted = DecideWith(plan, Police, assigned: ["75-police"], restrictions: [CaseRestrictionReason.ProtectedWitness]);
        Assert.Equal((false, ReleaseReasonCodes.RestrictedCase), (restricted.Released, restricted.ReasonCode));

        var naming = SharingRulesVersion.Adopt(
            Paris,
            2,
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch,
            "test",
            ["wg"],
            [
                .. DemoSharingRules.Rules.Select(r => new SharingRule(r.Category, r.Roles, r.Purpose, r.LegalBasis)).ToList(),
                new SharingRule(
                    DataCategory.ControlPlan,
                    [RecipientRole.StateService],
                    SharingPurpose.CommunitySupervision,
                    "CSI",
                    Restrictions: [CaseRestrictionReason.ProtectedWitness]
                ),
            ]
        );
        var granted = DecideWith(
            plan,
            Police,
            assigned: ["75-police"],
            restrictions: [CaseRestrictionReason.ProtectedWitness],
            rules: naming
        );
        // Only what the naming rule grants: the control plan, not the identity the ordinary rule would have given.
        Assert.Equal([DataCategory.ControlPlan], granted.Granted);
        Assert.Equal([DataCategory.Identity], granted.Withheld);
        // A rule naming another restriction does not cover this one.
        Assert.Equal(
            ReleaseReasonCodes.RestrictedCase,
            DecideWith(plan, Police, assigned: ["75-police"], restrictions: [CaseRestrictionReason.PublicProfile], rules: naming).ReasonCode
        );
    }
}
