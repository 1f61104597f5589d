using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Application;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Testing;
using Coordination.UnitTests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordination.UnitTests.Opinions;

/// <summary>The Opinions service as its host registers it, on the test harness, with a fake clock.</summary>
public sealed class ReviewConsumerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_same_request_delivered_three_times_opens_one_review_announced_once()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RequestArt41Review>.On(service.Harness.Bus);
        var request = Art41ReviewTests.Request();
        var messageId = NewId.NextGuid();

        for (var i = 0; i < 3; i++)
            await service.Harness.Bus.Publish(request, ctx => ctx.MessageId = messageId);

        await Poller.UntilAsync(() => deliveries.Consumed == 3, "three deliveries consumed");
        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the outbox relay drained");
        Assert.Empty(deliveries.Faults);
        var review = Assert.Single(await service.Query(db => db.Reviews.ToListAsync()));
        Assert.Equal((request.ReviewId, ReviewStatus.Opened, "75-prosecutor"), (review.Id, review.Status, review.OpenedBy));
        Assert.Equal(1, await service.Query(db => db.Deadlines.CountAsync()));
        var opened = Assert.Single(service.Harness.Published.Select<Art41ReviewOpened>());
        Assert.Equal(request.ReviewId, opened.Context.Message.ReviewId);
    }

    [Fact]
    public async Task A_second_request_for_the_same_measure_territory_and_period_is_refused_as_a_conflict()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var deliveries = ConsumeCounter<RequestArt41Review>.On(service.Harness.Bus);
        await service.Harness.Bus.Publish(Art41ReviewTests.Request());
        await Poller.UntilAsync(() => deliveries.Consumed == 1, "the first request consumed");

        await service.Harness.Bus.Publish(Art41ReviewTests.Request());

        await Poller.UntilAsync(() => !deliveries.Faults.IsEmpty, "the second request refused");
        Assert.StartsWith(ReviewReasons.ReviewConflict, deliveries.Faults.First().Message);
        Assert.Equal(1, await service.Query(db => db.Reviews.CountAsync()));
    }

    [Fact]
    public async Task Indicators_for_a_review_of_another_territory_are_refused_and_change_nothing()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var requests = ConsumeCounter<RequestArt41Review>.On(service.Harness.Bus);
        var indicators = ConsumeCounter<SubmitImplementationIndicators>.On(service.Harness.Bus);
        var request = Art41ReviewTests.Request("75");
        await service.Harness.Bus.Publish(request);
        await Poller.UntilAsync(() => requests.Consumed == 1, "the request consumed");

        await service.Harness.Bus.Publish(Indicators(request.ReviewId, "93"));
        await service.Harness.Bus.Publish(Indicators(request.ReviewId, "75") with { MeasuresCarriedOut = 500 });

        await Poller.UntilAsync(() => indicators.Faults.Select(f => f.Message).Distinct().Count() == 2, "both submissions refused");
        Assert.Equal(
            [ReasonCodes.InvalidField, ReviewReasons.UnknownReview],
            indicators.Faults.Select(f => f.Message.Split(':')[0]).Distinct().Order()
        );
        var review = await service.Query(db => db.Reviews.SingleAsync());
        Assert.Equal((ReviewStatus.Opened, (int?)null), (review.Status, review.MeasuresOrdered));
        Assert.Equal(1, await service.Query(db => db.InboxEntries.CountAsync()));
    }

    [Fact]
    public async Task Indicators_and_a_contribution_of_the_territory_are_recorded()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var consumed = ConsumeCounter<ContributeToReview>.On(service.Harness.Bus);
        var request = Art41ReviewTests.Request("93");
        await service.Harness.Bus.Publish(request);
        await Poller.UntilAsync(async () => await service.Query(db => db.Reviews.AnyAsync()), "the review opened");

        await service.Harness.Bus.Publish(Indicators(request.ReviewId, "93"));
        await Poller.UntilAsync(
            async () => (await service.Query(db => db.Reviews.SingleAsync())).Status == ReviewStatus.CollectingIndicators,
            "the indicators recorded"
        );
        var keys = service.Services.GetRequiredService<Coordination.ServiceDefaults.Sealing.SealingKeyStore>();
        var contributionId = NewId.NextGuid();
        await service.Harness.Bus.Publish(
            new ContributeToReview
            {
                ReviewId = request.ReviewId,
                Territory = TerritoryCode.Parse("93"),
                Partner = PartnerId.Parse("93-association-mediation"),
                Contribution = Coordination.ServiceDefaults.Sealing.PayloadSealer.SealJson(
                    "Listes d'attente de six semaines.",
                    keys.CurrentKeyOf("opinions"),
                    "art41-opinion",
                    contributionId
                ),
            },
            ctx => ctx.MessageId = contributionId
        );

        await Poller.UntilAsync(() => consumed.Consumed == 1, "the contribution consumed");
        Assert.Empty(consumed.Faults);
        var review = await service.Query(db => db.Reviews.Include(r => r.Contributions).SingleAsync());
        Assert.Equal(
            (200, 150, 75, 1),
            (review.MeasuresOrdered, review.MeasuresCarriedOut, review.CompletionRatePercent, review.Contributions.Count)
        );
    }

    [Fact]
    public async Task The_respond_by_day_passing_without_adoption_raises_overdue_once()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var late = Art41ReviewTests.Request("75", Art41MeasureKind.Mediation, new DateOnly(2026, 12, 15));
        var answered = Art41ReviewTests.Request("75", Art41MeasureKind.DamageRepair, new DateOnly(2026, 12, 15));
        await service.Harness.Bus.Publish(late);
        await service.Harness.Bus.Publish(answered);
        await Poller.UntilAsync(async () => await service.Query(db => db.Deadlines.CountAsync()) == 2, "both reviews opened");
        await Adopt(service, answered.ReviewId);

        // The poller runs on the fake clock: moving it past the day wakes it.
        service.Clock.Advance(TimeSpan.FromDays(20));

        await Poller.UntilAsync(() => service.Harness.Published.Select<OpinionOverdue>().Any(), "the overdue alert published");
        await Poller.UntilAsync(
            async () => await service.Query(db => db.Deadlines.CountAsync(d => d.FiredAt != null)) == 2,
            "both deadlines fired"
        );
        await using (var scope = service.Services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<OpinionDeadlineScheduler>().RunAsync(default));
        service.Clock.Advance(TimeSpan.FromDays(20));
        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the outbox relay drained");

        var overdue = Assert.Single(service.Harness.Published.Select<OpinionOverdue>());
        Assert.Equal(late.ReviewId, overdue.Context.Message.ReviewId);
        Assert.Equal(
            DeadlineOutcome.AlreadyAdopted,
            (await service.Query(db => db.Deadlines.SingleAsync(d => d.ReviewId == answered.ReviewId))).Outcome
        );
    }

    [Fact]
    public async Task Adoption_publishes_the_opinion_and_a_release_sealed_for_the_gateway_to_the_prosecutor_of_the_territory()
    {
        await using var service = await OpinionsHarness.StartAsync(Now);
        var request = Art41ReviewTests.Request("93");
        await service.Harness.Bus.Publish(request);
        await Poller.UntilAsync(async () => await service.Query(db => db.Reviews.AnyAsync()), "the review opened");

        await Adopt(service, request.ReviewId);
        await Poller.UntilAsync(async () => await service.UnsentOutboxCount() == 0, "the outbox relay drained");

        var release = Assert.Single(service.Harness.Sent.Select<ReleaseConfidentialPayload>()).Context;
        Assert.EndsWith("gateway-release-from-opinions", release.DestinationAddress!.AbsolutePath);
        Assert.Empty(service.Harness.Published.Select<ReleaseConfidentialPayload>());
        Assert.Equal(["93-prosecutor"], release.Message.Recipients);
        Assert.Equal("art41-opinion", release.Message.Purpose);
        Assert.Equal([DataCategory.Art41Opinion], release.Message.Categories);
        var keys = service.Services.GetRequiredService<SealingKeyStore>();
        using var gateway = keys.RingFor("gateway");
        var opened = System.Text.Json.Nodes.JsonNode.Parse(
            PayloadSealer.Open(release.Message.Payload, gateway, "art41-opinion", release.MessageId!.Value)
        )!;
        Assert.Equal("favourable-with-reservations", opened["art41-opinion"]!["verdict"]!.GetValue<string>());
        Assert.Equal(request.ReviewId, opened["art41-opinion"]!["reviewId"]!.GetValue<Guid>());
        Assert.Single(service.Harness.Published.Select<OpinionAdopted>());
        Assert.Equal(
            release.Message.ReleaseId,
            Assert.Single(service.Harness.Published.Select<OpinionTransmitted>()).Context.Message.ReleaseId
        );
        Assert.Equal(ReviewStatus.Transmitted, (await service.Query(db => db.Reviews.SingleAsync())).Status);
    }

    private static SubmitImplementationIndicators Indicators(Guid reviewId, string territory) =>
        new()
        {
            ReviewId = reviewId,
            Territory = TerritoryCode.Parse(territory),
            MeasuresOrdered = 200,
            MeasuresCarriedOut = 150,
            MedianDelayDays = 40,
            StructureCapacity = 25,
        };

    /// <summary>What the operators' adoption call does, on the service's own database.</summary>
    private static async Task Adopt(OpinionsHarness service, Guid reviewId)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpinionsDbContext>();
        var review = await db.Reviews.SingleAsync(r => r.Id == reviewId);
        review.RecordIndicators(100, 80, 30, 20, service.Clock.GetUtcNow());
        review.Draft(OpinionVerdict.FavourableWithReservations, [OpinionRecommendation.ShortenDelays], null, service.Clock.GetUtcNow());
        OpinionTransmission.AdoptAndTransmit(
            db,
            review,
            scope.ServiceProvider.GetRequiredService<SealingKeyStore>(),
            scope.ServiceProvider.GetRequiredService<IOptions<Coordination.Opinions.OpinionsOptions>>().Value,
            service.Clock.GetUtcNow()
        );
        await db.SaveChangesAsync();
    }
}
