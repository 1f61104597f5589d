using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;

namespace Coordination.UnitTests.Gateway;

public sealed class ReleaseDeciderTests
{
    private static readonly TerritoryCode Paris = TerritoryCode.Parse("75");
    private static readonly TerritoryCode SeineSaintDenis = TerritoryCode.Parse("93");
    private static readonly DateOnly Today = new(2026, 11, 26);
    private static readonly SharingRulesVersion DemoRules = SharingRulesVersion.Adopt(
        Paris,
        1,
        DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch,
        "test",
        ["wg"],
        DemoSharingRules.Rules.Select(r => new SharingRule(r.Category, r.Roles, r.Purpose, r.LegalBasis)).ToList()
    );

    /// <summary>What the demo règlement intérieur says, written out by hand: the table the decider must reproduce.</summary>
    private static readonly Dictionary<(SharingPurpose, DataCategory), RecipientRole[]> Expected = new()
    {
        [(SharingPurpose.CommunitySupervision, DataCategory.Identity)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
            RecipientRole.ProbationService,
            RecipientRole.SentenceEnforcementCourt,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.ContactDetails)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
            RecipientRole.LocalAuthority,
            RecipientRole.Association,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.ControlPlan)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
            RecipientRole.LocalAuthority,
            RecipientRole.Association,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.DesignationGrounds)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.CircumstancesOfOffence)] = [RecipientRole.PenitentiaryAdministration],
        [(SharingPurpose.CommunitySupervision, DataCategory.ControlOutcomes)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.Incidents)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.SupportActions)] =
        [
            RecipientRole.PenitentiaryAdministration,
            RecipientRole.StateService,
            RecipientRole.LocalAuthority,
            RecipientRole.Association,
        ],
        [(SharingPurpose.CommunitySupervision, DataCategory.DesignationReceipt)] =
        [
            RecipientRole.Prosecutor,
            RecipientRole.SentenceEnforcementCourt,
        ],
        [(SharingPurpose.CourtReporting, DataCategory.CourtReport)] =
        [
            RecipientRole.SentenceEnforcementCourt,
            RecipientRole.ProbationService,
        ],
        [(SharingPurpose.CourtReporting, DataCategory.Identity)] = [RecipientRole.SentenceEnforcementCourt, RecipientRole.ProbationService],
        [(SharingPurpose.Art41Opinion, DataCategory.Art41Opinion)] = [RecipientRole.Prosecutor],
    };

    public static TheoryData<DataCategory, RecipientRole, SharingPurpose> EveryCombination()
    {
        var data = new TheoryData<DataCategory, RecipientRole, SharingPurpose>();
        foreach (var category in Enum.GetValues<DataCategory>())
        foreach (var role in Enum.GetValues<RecipientRole>())
        foreach (var purpose in Enum.GetValues<SharingPurpose>())
            data.Add(category, role, purpose);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Each_category_role_and_purpose_is_released_only_where_the_demo_rules_grant_it(
        DataCategory category,
        RecipientRole role,
        SharingPurpose purpose
    )
    {
        var decision = ReleaseDecider.Decide(DemoRules, Paris, new Recipient("75-x", Paris, role), purpose, [category], Today);
        var granted = Expected.TryGetValue((purpose, category), out var roles) && roles.Contains(role);
        Assert.Equal(granted, decision.Released);
        Assert.Equal(granted ? [category] : [], decision.Granted);
        Assert.Equal(granted ? "granted" : "no-rule-grants", decision.ReasonCode);
        Assert.Equal(1, decision.RulesVersion);
    }

    [Fact]
    public void An_association_gets_contact_details_and_the_control_plan_but_not_the_circumstances_of_the_offence()
    {
        var decision = ReleaseDecider.Decide(
            DemoRules,
            Paris,
            new Recipient("75-association", Paris, RecipientRole.Association),
            SharingPurpose.CommunitySupervision,
            [DataCategory.ContactDetails, DataCategory.ControlPlan, DataCategory.CircumstancesOfOffence, DataCategory.Identity],
            Today
        );
        Assert.True(decision.Released);
        Assert.Equal([DataCategory.ContactDetails, DataCategory.ControlPlan], decision.Granted);
        Assert.Equal([DataCategory.CircumstancesOfOffence, DataCategory.Identity], decision.Withheld);
        Assert.Equal("partly-granted", decision.ReasonCode);
    }

    [Fact]
    public void Default_deny_third_party_other_territory_no_rules_expired_rule_unknown_role()
    {
        var prison = new Recipient("75-prison", Paris, RecipientRole.PenitentiaryAdministration);
        DataCategory[] identity = [DataCategory.Identity];
        Assert.Equal(
            "third-party",
            ReleaseDecider.Decide(DemoRules, Paris, null, SharingPurpose.CommunitySupervision, identity, Today).ReasonCode
        );
        Assert.Equal(
            "other-territory",
            ReleaseDecider
                .Decide(DemoRules, Paris, prison with { Territory = SeineSaintDenis }, SharingPurpose.CommunitySupervision, identity, Today)
                .ReasonCode
        );
        Assert.Equal(
            "no-rules-in-force",
            ReleaseDecider.Decide(null, Paris, prison, SharingPurpose.CommunitySupervision, identity, Today).ReasonCode
        );
        Assert.Equal(
            "no-rules-in-force",
            ReleaseDecider
                .Decide(
                    DemoRules,
                    SeineSaintDenis,
                    prison with
                    {
                        Territory = SeineSaintDenis,
                    },
                    SharingPurpose.CommunitySupervision,
                    identity,
                    Today
                )
                .ReasonCode
        );
        Assert.Equal(
            "unknown-role-or-purpose",
            ReleaseDecider
                .Decide(DemoRules, Paris, prison with { Role = (RecipientRole)99 }, SharingPurpose.CommunitySupervision, identity, Today)
                .ReasonCode
        );
        Assert.Equal(
            "nothing-requested",
            ReleaseDecider.Decide(DemoRules, Paris, prison, SharingPurpose.CommunitySupervision, [], Today).ReasonCode
        );

        var expiring = SharingRulesVersion.Adopt(
            Paris,
            2,
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch,
            "t",
            ["wg"],
            [
                new SharingRule(
                    DataCategory.Identity,
                    [RecipientRole.PenitentiaryAdministration],
                    SharingPurpose.CommunitySupervision,
                    "basis",
                    new DateOnly(2026, 6, 30)
                ),
            ]
        );
        Assert.True(
            ReleaseDecider
                .Decide(expiring, Paris, prison, SharingPurpose.CommunitySupervision, identity, new DateOnly(2026, 6, 30))
                .Released
        );
        Assert.False(
            ReleaseDecider.Decide(expiring, Paris, prison, SharingPurpose.CommunitySupervision, identity, new DateOnly(2026, 7, 1)).Released
        );
    }

    [Fact]
    public void No_random_request_ever_releases_to_a_third_party_or_another_territory_and_every_grant_has_its_rule()
    {
        // Property test over 20,000 generated requests (seeded: a failure reproduces).
        var random = new Random(20161923);
        var categories = Enum.GetValues<DataCategory>();
        var roles = Enum.GetValues<RecipientRole>();
        var purposes = Enum.GetValues<SharingPurpose>();
        var territories = TerritoryCode.All.Select(TerritoryCode.Parse).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var ruleTerritory = territories[random.Next(territories.Length)];
            var rules = SharingRulesVersion.Adopt(
                ruleTerritory,
                1,
                DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch,
                "p",
                ["wg"],
                Enumerable
                    .Range(0, random.Next(0, 8))
                    .Select(_ => new SharingRule(
                        categories[random.Next(categories.Length)],
                        roles.Where(_ => random.Next(3) == 0).ToList(),
                        purposes[random.Next(purposes.Length)],
                        null,
                        random.Next(4) == 0 ? Today.AddDays(random.Next(-30, 30)) : null
                    ))
            );
            var requestTerritory = random.Next(3) == 0 ? territories[random.Next(territories.Length)] : ruleTerritory;
            var recipient = random.Next(4) switch
            {
                0 => null,
                1 => new Recipient("elsewhere", territories[random.Next(territories.Length)], roles[random.Next(roles.Length)]),
                _ => new Recipient("member", requestTerritory, roles[random.Next(roles.Length)]),
            };
            var purpose = purposes[random.Next(purposes.Length)];
            var requested = categories.Where(_ => random.Next(3) == 0).ToList();

            var decision = ReleaseDecider.Decide(
                random.Next(10) == 0 ? null : rules,
                requestTerritory,
                recipient,
                purpose,
                requested,
                Today
            );

            if (!decision.Released)
            {
                Assert.Empty(decision.Granted);
                continue;
            }
            Assert.NotNull(recipient);
            Assert.Equal(requestTerritory, recipient.Territory);
            Assert.Equal(ruleTerritory, requestTerritory);
            Assert.All(decision.Granted, c => Assert.Contains(rules.Rules, r => r.Grants(c, recipient.Role, purpose, Today)));
            Assert.All(decision.Granted, c => Assert.Contains(c, requested));
        }
    }
}
