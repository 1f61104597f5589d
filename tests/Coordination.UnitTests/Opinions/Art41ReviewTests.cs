using Coordination.Contracts;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Domain;
using Coordination.ServiceDefaults.Rules;

namespace Coordination.UnitTests.Opinions;

/// <summary>The review's workflow: each step from the one before, nothing after adoption, the overdue alert once.</summary>
public sealed class Art41ReviewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static RequestArt41Review Request(
        string territory = "75",
        Art41MeasureKind measure = Art41MeasureKind.Mediation,
        DateOnly? respondBy = null
    ) =>
        new()
        {
            ReviewId = Guid.NewGuid(),
            Territory = TerritoryCode.Parse(territory),
            Measure = measure,
            PeriodStart = new DateOnly(2025, 7, 1),
            PeriodEnd = new DateOnly(2026, 6, 30),
            RespondBy = respondBy ?? new DateOnly(2027, 1, 31),
            RequestedBy = $"{territory}-prosecutor",
        };

    private static Art41Review Opened() => Art41Review.Open(Request(), "75-prosecutor", Now, null);

    private static Art41Review WithIndicators()
    {
        var review = Opened();
        review.RecordIndicators(120, 90, 45, 30, Now);
        return review;
    }

    private static Art41Review Drafted()
    {
        var review = WithIndicators();
        review.Draft(OpinionVerdict.FavourableWithReservations, [OpinionRecommendation.ShortenDelays], "Délais trop longs.", Now);
        return review;
    }

    private static Art41Review Adopted()
    {
        var review = Drafted();
        review.Adopt(Now);
        return review;
    }

    private static Art41Review Transmitted()
    {
        var review = Adopted();
        review.Transmit(Guid.NewGuid(), "75-prosecutor", Now);
        return review;
    }

    private static void Broken(string reasonCode, Action action) =>
        Assert.Equal(reasonCode, Assert.Throws<RuleViolation>(action).ReasonCode);

    [Fact]
    public void A_review_walks_from_opened_to_transmitted_and_the_adopted_opinion_carries_the_draft()
    {
        var review = Opened();
        Assert.Equal(ReviewStatus.Opened, review.Status);
        review.RecordIndicators(120, 90, 45, 30, Now);
        Assert.Equal(ReviewStatus.CollectingIndicators, review.Status);
        Assert.Equal(75, review.CompletionRatePercent);
        review.Draft(
            OpinionVerdict.Unfavourable,
            [OpinionRecommendation.IncreaseStructureCapacity, OpinionRecommendation.IncreaseStructureCapacity],
            "  Capacité insuffisante.  ",
            Now
        );
        Assert.Equal(ReviewStatus.Drafted, review.Status);
        var adopted = review.Adopt(Now.AddDays(1));
        Assert.Equal((OpinionVerdict.Unfavourable, "Capacité insuffisante."), (adopted.Verdict, review.Text));
        Assert.Equal([OpinionRecommendation.IncreaseStructureCapacity], adopted.Recommendations);
        var releaseId = Guid.NewGuid();
        var transmitted = review.Transmit(releaseId, "75-prosecutor", Now.AddDays(1));
        Assert.Equal((ReviewStatus.Transmitted, releaseId, "75-prosecutor"), (review.Status, transmitted.ReleaseId, transmitted.Recipient));
    }

    [Fact]
    public void No_draft_before_the_indicators() =>
        Broken(ReviewReasons.NoIndicators, () => Opened().Draft(OpinionVerdict.Favourable, [], null, Now));

    [Fact]
    public void No_adoption_without_a_draft()
    {
        Broken(ReviewReasons.NoDraft, () => Opened().Adopt(Now));
        Broken(ReviewReasons.NoDraft, () => WithIndicators().Adopt(Now));
    }

    [Fact]
    public void No_transmission_before_adoption()
    {
        Broken(ReviewReasons.NotAdopted, () => Drafted().Transmit(Guid.NewGuid(), "75-prosecutor", Now));
        Broken(ReviewReasons.NotAdopted, () => Opened().Transmit(Guid.NewGuid(), "75-prosecutor", Now));
    }

    public static TheoryData<string> Final => ["adopted", "transmitted"];

    [Theory]
    [MemberData(nameof(Final))]
    public void Nothing_changes_after_adoption(string state)
    {
        Art41Review Review() => state == "adopted" ? Adopted() : Transmitted();
        var before = Review();
        Broken(ReviewReasons.ReviewClosed, () => before.RecordIndicators(1, 1, 1, 1, Now));
        Broken(ReviewReasons.ReviewClosed, () => before.Draft(OpinionVerdict.Favourable, [], "Changé.", Now));
        Broken(
            ReviewReasons.ReviewClosed,
            () => before.Contribute(PartnerId.Parse("75-association-aide-victimes"), "Tardif.", Guid.NewGuid(), Now)
        );
        Broken(ReviewReasons.ReviewClosed, () => before.Adopt(Now));
        Assert.Equal(
            (OpinionVerdict.FavourableWithReservations, 120, "Délais trop longs.", 0),
            (before.Verdict, before.MeasuresOrdered, before.Text, before.Contributions.Count)
        );
    }

    [Fact]
    public void A_transmitted_opinion_is_not_transmitted_twice() =>
        Broken(ReviewReasons.ReviewClosed, () => Transmitted().Transmit(Guid.NewGuid(), "75-prosecutor", Now));

    [Fact]
    public void A_draft_may_be_rewritten_until_adoption()
    {
        var review = Drafted();
        review.Draft(OpinionVerdict.Favourable, [], null, Now);
        Assert.Equal((OpinionVerdict.Favourable, null), (review.Verdict, review.Text));
        Assert.Empty(review.Recommendations);
    }

    [Theory]
    [InlineData(OpinionVerdict.FavourableWithReservations)]
    [InlineData(OpinionVerdict.Unfavourable)]
    public void Reservations_and_an_unfavourable_opinion_name_a_recommendation(OpinionVerdict verdict) =>
        Broken(ReasonCodes.MissingField, () => WithIndicators().Draft(verdict, [], "Sans recommandation.", Now));

    [Fact]
    public void Recommendations_come_from_the_closed_list_and_the_verdict_too()
    {
        Broken(ReasonCodes.InvalidField, () => WithIndicators().Draft(OpinionVerdict.Favourable, [(OpinionRecommendation)99], null, Now));
        Broken(ReasonCodes.InvalidField, () => WithIndicators().Draft((OpinionVerdict)0, [], null, Now));
    }

    [Fact]
    public void The_text_is_short()
    {
        var review = WithIndicators();
        review.Draft(OpinionVerdict.Favourable, [], new string('a', Art41Review.TextMaxLength), Now);
        Broken(
            ReasonCodes.InvalidField,
            () => review.Draft(OpinionVerdict.Favourable, [], new string('a', Art41Review.TextMaxLength + 1), Now)
        );
        Assert.Equal(Art41Review.TextMaxLength, review.Text!.Length);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(10, 11, 0, 0)]
    [InlineData(10, 5, -3, 0)]
    [InlineData(10, 5, 3, Art41Review.FigureMax + 1)]
    public void Indicators_are_plausible_counts(int ordered, int carriedOut, int delay, int capacity)
    {
        var review = Opened();
        Broken(ReasonCodes.InvalidField, () => review.RecordIndicators(ordered, carriedOut, delay, capacity, Now));
        Assert.Equal(ReviewStatus.Opened, review.Status);
    }

    [Fact]
    public void Nothing_ordered_has_no_completion_rate()
    {
        var review = Opened();
        review.RecordIndicators(0, 0, 0, 5, Now);
        Assert.Null(review.CompletionRatePercent);
    }

    [Fact]
    public void A_contribution_comes_from_a_partner_of_the_territory_and_is_short()
    {
        var review = WithIndicators();
        review.Contribute(
            PartnerId.Parse("75-association-aide-victimes"),
            "Les délais d'accueil dépassent deux mois.",
            Guid.NewGuid(),
            Now
        );
        Broken(
            ReasonCodes.InvalidField,
            () => review.Contribute(PartnerId.Parse("93-association-aide-victimes"), "Ailleurs.", Guid.NewGuid(), Now)
        );
        Broken(
            ReasonCodes.InvalidField,
            () =>
                review.Contribute(PartnerId.Parse("75-mairie"), new string('a', Art41Review.ContributionMaxLength + 1), Guid.NewGuid(), Now)
        );
        Broken(ReasonCodes.MissingField, () => review.Contribute(PartnerId.Parse("75-mairie"), "  ", Guid.NewGuid(), Now));
        Assert.Single(review.Contributions);
    }

    [Fact]
    public void A_request_is_refused_with_its_reason_when_its_dates_do_not_hold()
    {
        Broken(ReasonCodes.InvalidField, () => Art41Review.Open(Request() with { PeriodEnd = new DateOnly(2025, 6, 30) }, "x", Now, null));
        Broken(ReasonCodes.InvalidField, () => Art41Review.Open(Request(respondBy: new DateOnly(2026, 11, 25)), "x", Now, null));
        Broken(ReasonCodes.InvalidField, () => Art41Review.Open(Request() with { Measure = (Art41MeasureKind)42 }, "x", Now, null));
    }

    [Fact]
    public void Overdue_is_raised_once_at_the_end_of_the_respond_by_day_in_the_territory()
    {
        var review = Art41Review.Open(Request(respondBy: new DateOnly(2027, 1, 31)), "75-prosecutor", Now, null);
        // Paris is UTC+1 in winter: the day ends at 23:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 23, 0, 0, TimeSpan.Zero), review.DueAt);
        Assert.Null(review.RaiseOverdueIfLate(review.DueAt.AddTicks(-1)));
        var overdue = review.RaiseOverdueIfLate(review.DueAt);
        Assert.Equal((review.Id, new DateOnly(2027, 1, 31)), (overdue!.ReviewId, overdue.RespondBy));
        Assert.Null(review.RaiseOverdueIfLate(review.DueAt.AddDays(3)));
    }

    [Fact]
    public void Overdue_is_not_raised_after_adoption()
    {
        var review = Adopted();
        Assert.Null(review.RaiseOverdueIfLate(review.DueAt.AddDays(1)));
        Assert.Null(review.OverdueRaisedAt);
    }

    [Fact]
    public void A_late_review_may_still_be_adopted()
    {
        var review = Drafted();
        Assert.NotNull(review.RaiseOverdueIfLate(review.DueAt));
        Assert.Equal(ReviewStatus.Adopted, (review.Adopt(review.DueAt.AddDays(2)), review.Status).Status);
    }
}
