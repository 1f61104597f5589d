using System.Text.Json.Serialization;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;

namespace Coordination.Contracts.Opinions;

[JsonConverter(typeof(KebabCaseEnumConverter<OpinionVerdict>))]
public enum OpinionVerdict
{
    Favourable = 1,
    FavourableWithReservations,
    Unfavourable,
}

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

/// <summary>
/// 2°: the prosecutor asks the bodies for their opinion on how one measure kind is implemented.
/// Through the gateway, <see cref="ReviewId"/> is the prosecutor's own message id, so that the
/// opinion transmitted back names the request it answers.
/// </summary>
public sealed record RequestArt41Review
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required Art41MeasureKind Measure { get; init; }

    [Public]
    public required DateOnly PeriodStart { get; init; }

    [Public]
    public required DateOnly PeriodEnd { get; init; }

    [Public]
    public required DateOnly RespondBy { get; init; }

    /// <summary>The agency that asked (<c>75-prosecutor</c>), as the gateway proved it.</summary>
    [Public]
    public string? RequestedBy { get; init; }
}

/// <summary>Aggregate figures only: the opinion needs no personal data (R2).</summary>
public sealed record SubmitImplementationIndicators
{
    [Public]
    public required Guid ReviewId { get; init; }

    /// <summary>The review's territory: a figure for another territory's review is refused.</summary>
    [Public]
    public required TerritoryCode Territory { get; init; }

    [Internal]
    public required int MeasuresOrdered { get; init; }

    [Internal]
    public required int MeasuresCarriedOut { get; init; }

    [Internal]
    public required int MedianDelayDays { get; init; }

    [Internal]
    public required int StructureCapacity { get; init; }
}

/// <summary>A partner's short written contribution to a review (no personal data: it is about how the measure works).</summary>
public sealed record ContributeToReview
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Internal]
    public required PartnerId Partner { get; init; }

    /// <summary>The partner's short text, sealed for the Opinions service (F5: free text is confidential).</summary>
    [Confidential]
    public required SealedPayload Contribution { get; init; }
}

public sealed record Art41ReviewOpened
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required Art41MeasureKind Measure { get; init; }

    [Public]
    public required DateOnly PeriodStart { get; init; }

    [Public]
    public required DateOnly PeriodEnd { get; init; }

    [Public]
    public required DateOnly RespondBy { get; init; }
}

public sealed record OpinionAdopted
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required Art41MeasureKind Measure { get; init; }

    [Internal]
    public required OpinionVerdict Verdict { get; init; }

    [Internal]
    public required IReadOnlyList<OpinionRecommendation> Recommendations { get; init; }

    [Public]
    public required DateTimeOffset AdoptedAt { get; init; }
}

/// <summary>The adopted opinion handed to the gateway for release to the territory's prosecutor's office.</summary>
public sealed record OpinionTransmitted
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    /// <summary>The gateway release that carries it; the gateway's audit log names the decision.</summary>
    [Public]
    public required Guid ReleaseId { get; init; }

    [Public]
    public required string Recipient { get; init; }

    [Public]
    public required DateTimeOffset TransmittedAt { get; init; }
}

public sealed record OpinionOverdue
{
    [Public]
    public required Guid ReviewId { get; init; }

    [Public]
    public required TerritoryCode Territory { get; init; }

    [Public]
    public required DateOnly RespondBy { get; init; }
}
