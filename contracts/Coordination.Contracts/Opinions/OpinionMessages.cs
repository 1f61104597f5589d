using System.Text.Json.Serialization;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Values;

namespace Coordination.Contracts.Opinions;

[JsonConverter(typeof(KebabCaseEnumConverter<OpinionVerdict>))]
public enum OpinionVerdict { Favourable = 1, FavourableWithReservations, Unfavourable }

[JsonConverter(typeof(KebabCaseEnumConverter<OpinionRecommendation>))]
public enum OpinionRecommendation
{
    IncreaseStructureCapacity = 1,
    ShortenDelays,
    ImproveVictimInformation,
    StrengthenPartnerCoordination,
    ImproveFollowUpOfCompletion,
    TrainStakeholders,
    ExtendToNewArea,
}

/// <summary>2°: the prosecutor asks the bodies for their opinion on how one measure kind is implemented.</summary>
public sealed record RequestArt41Review
{
    [Public] public required Guid ReviewId { get; init; }
    [Public] public required TerritoryCode Territory { get; init; }
    [Public] public required Art41MeasureKind Measure { get; init; }
    [Public] public required DateOnly PeriodStart { get; init; }
    [Public] public required DateOnly PeriodEnd { get; init; }
    [Public] public required DateOnly RespondBy { get; init; }
}

/// <summary>Aggregate figures only: the opinion needs no personal data (R2).</summary>
public sealed record SubmitImplementationIndicators
{
    [Public] public required Guid ReviewId { get; init; }
    [Internal] public required int MeasuresOrdered { get; init; }
    [Internal] public required int MeasuresCarriedOut { get; init; }
    [Internal] public required int MedianDelayDays { get; init; }
    [Internal] public required int StructureCapacity { get; init; }
}

public sealed record ContributeToReview
{
    [Public] public required Guid ReviewId { get; init; }
    [Internal] public required PartnerId Partner { get; init; }
    [Internal] public required string Contribution { get; init; }
}

public sealed record Art41ReviewOpened
{
    [Public] public required Guid ReviewId { get; init; }
    [Public] public required TerritoryCode Territory { get; init; }
    [Public] public required Art41MeasureKind Measure { get; init; }
    [Public] public required DateOnly PeriodStart { get; init; }
    [Public] public required DateOnly PeriodEnd { get; init; }
    [Public] public required DateOnly RespondBy { get; init; }
}

public sealed record OpinionAdopted
{
    [Public] public required Guid ReviewId { get; init; }
    [Public] public required TerritoryCode Territory { get; init; }
    [Public] public required Art41MeasureKind Measure { get; init; }
    [Internal] public required OpinionVerdict Verdict { get; init; }
    [Internal] public required IReadOnlyList<OpinionRecommendation> Recommendations { get; init; }
    [Internal] public string? Text { get; init; }
    [Public] public required DateTimeOffset AdoptedAt { get; init; }
}

public sealed record OpinionOverdue
{
    [Public] public required Guid ReviewId { get; init; }
    [Public] public required TerritoryCode Territory { get; init; }
    [Public] public required DateOnly RespondBy { get; init; }
}
