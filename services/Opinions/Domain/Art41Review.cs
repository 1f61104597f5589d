using Coordination.Contracts;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Territories;

namespace Coordination.Opinions.Domain;

/// <summary>Where a review stands. Each step is reached only from the one before; nothing moves after adoption.</summary>
public enum ReviewStatus
{
    /// <summary>Requested; no implementation indicators yet.</summary>
    Opened = 1,

    /// <summary>Indicators (and partners' contributions) recorded; no draft yet.</summary>
    CollectingIndicators,

    /// <summary>A draft opinion exists; it may be redrafted until adoption.</summary>
    Drafted,

    /// <summary>The bodies adopted the opinion: it is final.</summary>
    Adopted,

    /// <summary>The adopted opinion was handed to the gateway for release to the prosecutor's office.</summary>
    Transmitted,
}

/// <summary>Reason codes of the review workflow; stable strings, like <see cref="ReasonCodes"/>.</summary>
public static class ReviewReasons
{
    /// <summary>An opinion rests on the implementation indicators: no draft before them.</summary>
    public const string NoIndicators = "no-indicators";

    /// <summary>Only a draft can be adopted.</summary>
    public const string NoDraft = "no-draft";

    /// <summary>The opinion was adopted: the review no longer changes.</summary>
    public const string ReviewClosed = "review-closed";
    public const string NotAdopted = "not-adopted";

    /// <summary>A review of the same measure kind, territory and period is already under way.</summary>
    public const string ReviewConflict = "review-conflict";

    /// <summary>Not a rule broken but a review not there (yet): retried over the bus, since the request may still be on its way.</summary>
    public const string UnknownReview = "unknown-review";

    /// <summary>Two changes to one review at once: the second is refused, to be made again on what the first left.</summary>
    public const string ReviewChanged = "review-changed";
}

/// <summary>
/// The review, by the coordination bodies of one territory, of the conditions of implementation of
/// one art. 41-1 measure kind over a period (art. L132-10-1 I 2°), up to the opinion sent to the
/// prosecutor. Aggregate figures only: the opinion needs no personal data (R2).
/// </summary>
public sealed class Art41Review
{
    public const int TextMaxLength = 1000;
    public const int ContributionMaxLength = 1000;
    public const int MaxYearsToRespond = 2;
    public const int OpenedByMaxLength = 200;

    /// <summary>Indicators above this are not plausible for one territory and period (a typing slip, not a figure).</summary>
    public const int FigureMax = 1_000_000;

    public Guid Id { get; private init; }
    public TerritoryCode Territory { get; private init; }
    public Art41MeasureKind Measure { get; private init; }
    public DateOnly PeriodStart { get; private init; }
    public DateOnly PeriodEnd { get; private init; }
    public DateOnly RespondBy { get; private init; }

    /// <summary>Who asked: the prosecutor's agency through the gateway, or the operator who opened it.</summary>
    public string OpenedBy { get; private init; } = "";
    public DateTimeOffset OpenedAt { get; private init; }
    public ReviewStatus Status { get; private set; }

    public int? MeasuresOrdered { get; private set; }
    public int? MeasuresCarriedOut { get; private set; }
    public int? MedianDelayDays { get; private set; }
    public int? StructureCapacity { get; private set; }
    public DateTimeOffset? IndicatorsRecordedAt { get; private set; }

    public List<ReviewContribution> Contributions { get; private init; } = [];

    public OpinionVerdict? Verdict { get; private set; }
    public List<OpinionRecommendation> Recommendations { get; private set; } = [];
    public string? Text { get; private set; }
    public DateTimeOffset? DraftedAt { get; private set; }
    public DateTimeOffset? AdoptedAt { get; private set; }
    public DateTimeOffset? TransmittedAt { get; private set; }
    public Guid? ReleaseId { get; private set; }
    public DateTimeOffset? OverdueRaisedAt { get; private set; }

    /// <summary>
    /// Bumped by every change: of two changes made at once (two adoptions, a redraft racing an
    /// adoption, the overdue pass racing an adoption), the second fails and is retried or refused.
    /// </summary>
    public int Version { get; private set; }

    public void Touch() => Version++;

    /// <summary>
    /// The trace of the request that opened the review: the opinion's transmission continues it, so
    /// that a request and its answer read as one story.
    /// </summary>
    public string? TraceParent { get; private init; }

    /// <summary>Carried out over ordered, in percent; none while nothing was ordered.</summary>
    public int? CompletionRatePercent =>
        MeasuresOrdered is > 0 && MeasuresCarriedOut is { } done
            ? (int)Math.Round(100.0 * done / MeasuresOrdered.Value, MidpointRounding.AwayFromZero)
            : null;

    public bool IsFinal => Status is ReviewStatus.Adopted or ReviewStatus.Transmitted;

    private Art41Review() { }

    public static Art41Review Open(RequestArt41Review request, string openedBy, DateTimeOffset now, string? traceParent)
    {
        if (!TerritoryCode.IsKnown(request.Territory.Value))
            throw Invalid(ReasonCodes.UnknownTerritory, "territory", "The territory must be an INSEE département code.");
        if (!Enum.IsDefined(request.Measure))
            throw Invalid(ReasonCodes.InvalidField, "measure", "The measure is one of the art. 41-1 kinds of the closed list.");
        if (request.PeriodEnd < request.PeriodStart)
            throw Invalid(ReasonCodes.InvalidField, "periodEnd", "The period ends on or after its start.");
        if (request.PeriodStart.Year < 2000)
            throw Invalid(ReasonCodes.InvalidField, "periodStart", "The period start is not plausible.");
        if (request.RespondBy < request.PeriodStart)
            throw Invalid(ReasonCodes.InvalidField, "respondBy", "The answer is due after the period under review begins.");
        if (request.RespondBy < TerritoryCalendar.Today(request.Territory, now))
            throw Invalid(ReasonCodes.InvalidField, "respondBy", "The date the opinion is due by has already passed.");
        // An opinion is due within months; a date years away is a typing mistake (and 9999-12-31 has no day after).
        if (request.RespondBy > TerritoryCalendar.Today(request.Territory, now).AddYears(MaxYearsToRespond))
            throw Invalid(ReasonCodes.InvalidField, "respondBy", $"The opinion is due within {MaxYearsToRespond} years.");
        if (request.PeriodEnd > TerritoryCalendar.Today(request.Territory, now).AddYears(MaxYearsToRespond))
            throw Invalid(ReasonCodes.InvalidField, "periodEnd", "The period under review is not plausible.");
        return new Art41Review
        {
            Id = request.ReviewId,
            Territory = request.Territory,
            Measure = request.Measure,
            PeriodStart = request.PeriodStart,
            PeriodEnd = request.PeriodEnd,
            RespondBy = request.RespondBy,
            OpenedBy = openedBy.Length > OpenedByMaxLength ? openedBy[..OpenedByMaxLength] : openedBy,
            OpenedAt = now,
            Status = ReviewStatus.Opened,
            TraceParent = traceParent,
        };
    }

    public Art41ReviewOpened Opened() =>
        new()
        {
            ReviewId = Id,
            Territory = Territory,
            Measure = Measure,
            PeriodStart = PeriodStart,
            PeriodEnd = PeriodEnd,
            RespondBy = RespondBy,
        };

    /// <summary>The latest figures replace earlier ones until a draft is adopted.</summary>
    public void RecordIndicators(int ordered, int carriedOut, int medianDelayDays, int structureCapacity, DateTimeOffset now)
    {
        EnsureOpenForChange();
        Figure("measuresOrdered", ordered);
        Figure("measuresCarriedOut", carriedOut);
        Figure("medianDelayDays", medianDelayDays);
        Figure("structureCapacity", structureCapacity);
        if (carriedOut > ordered)
            throw Invalid(ReasonCodes.InvalidField, "measuresCarriedOut", "More measures carried out than ordered.");
        (MeasuresOrdered, MeasuresCarriedOut, MedianDelayDays, StructureCapacity, IndicatorsRecordedAt) = (
            ordered,
            carriedOut,
            medianDelayDays,
            structureCapacity,
            now
        );
        if (Status == ReviewStatus.Opened)
            Status = ReviewStatus.CollectingIndicators;
    }

    public void Contribute(PartnerId partner, string contribution, Guid id, DateTimeOffset now)
    {
        EnsureOpenForChange();
        if (partner.Value is null)
            throw Invalid(ReasonCodes.MissingField, "partner", "The contributing partner is required.");
        if (partner.Territory != Territory)
            throw Invalid(ReasonCodes.InvalidField, "partner", "Only a partner of the review's territory contributes.");
        if (string.IsNullOrWhiteSpace(contribution))
            throw Invalid(ReasonCodes.MissingField, "contribution", "The contribution is required.");
        if (contribution.Trim().Length > ContributionMaxLength)
            throw Invalid(
                ReasonCodes.InvalidField,
                "contribution",
                $"A contribution is short: at most {ContributionMaxLength} characters."
            );
        Contributions.Add(
            new ReviewContribution
            {
                Id = id,
                Partner = partner,
                Text = contribution.Trim(),
                ReceivedAt = now,
            }
        );
    }

    /// <summary>Writes, or rewrites, the draft opinion. Reservations and an unfavourable opinion say what to change.</summary>
    public void Draft(OpinionVerdict verdict, IReadOnlyCollection<OpinionRecommendation> recommendations, string? text, DateTimeOffset now)
    {
        EnsureOpenForChange();
        if (Status == ReviewStatus.Opened)
            throw OutOfStep(
                ReviewReasons.NoIndicators,
                "indicators",
                "An opinion rests on the implementation indicators: record them before drafting."
            );
        if (!Enum.IsDefined(verdict))
            throw Invalid(ReasonCodes.InvalidField, "verdict", "The verdict is favourable, favourable-with-reservations or unfavourable.");
        if (recommendations.Any(r => !Enum.IsDefined(r)))
            throw Invalid(ReasonCodes.InvalidField, "recommendations", "Recommendations come from the closed list.");
        if (verdict != OpinionVerdict.Favourable && recommendations.Count == 0)
            throw Invalid(
                ReasonCodes.MissingField,
                "recommendations",
                "Reservations and an unfavourable opinion name at least one recommendation."
            );
        if (text is { } t && t.Trim().Length > TextMaxLength)
            throw Invalid(ReasonCodes.InvalidField, "text", $"The opinion's text is short: at most {TextMaxLength} characters.");
        Verdict = verdict;
        Recommendations = recommendations.Distinct().ToList();
        Text = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        DraftedAt = now;
        Status = ReviewStatus.Drafted;
    }

    public OpinionAdopted Adopt(DateTimeOffset now)
    {
        if (IsFinal)
            throw OutOfStep(ReviewReasons.ReviewClosed, "status", "The opinion is already adopted.");
        if (Status != ReviewStatus.Drafted)
            throw OutOfStep(ReviewReasons.NoDraft, "status", "Only a drafted opinion can be adopted.");
        AdoptedAt = now;
        Status = ReviewStatus.Adopted;
        return new OpinionAdopted
        {
            ReviewId = Id,
            Territory = Territory,
            Measure = Measure,
            Verdict = Verdict!.Value,
            Recommendations = Recommendations,
            AdoptedAt = now,
        };
    }

    /// <summary>Why the gateway refused the last transmission, if it did; the opinion can then be sent again.</summary>
    public string? TransmissionRefusal { get; private set; }

    /// <summary>
    /// The gateway denied the release (no rules in force, a key that does not match): the opinion stays
    /// adopted, unchanged, and is not counted as transmitted until it is sent again.
    /// </summary>
    public bool TransmissionDenied(Guid releaseId, string reasonCode)
    {
        if (Status != ReviewStatus.Transmitted || ReleaseId != releaseId)
            return false;
        Status = ReviewStatus.Adopted;
        TransmittedAt = null;
        TransmissionRefusal = reasonCode.Length > 60 ? reasonCode[..60] : reasonCode;
        return true;
    }

    public OpinionTransmitted Transmit(Guid releaseId, string recipient, DateTimeOffset now)
    {
        if (Status == ReviewStatus.Transmitted)
            throw OutOfStep(ReviewReasons.ReviewClosed, "status", "The opinion was already transmitted.");
        if (Status != ReviewStatus.Adopted)
            throw OutOfStep(ReviewReasons.NotAdopted, "status", "Only an adopted opinion is transmitted.");
        ReleaseId = releaseId;
        TransmittedAt = now;
        TransmissionRefusal = null;
        Status = ReviewStatus.Transmitted;
        return new OpinionTransmitted
        {
            ReviewId = Id,
            Territory = Territory,
            ReleaseId = releaseId,
            Recipient = recipient,
            TransmittedAt = now,
        };
    }

    /// <summary>The instant the answer is late: the end of the respond-by day, in the territory's own time.</summary>
    public DateTimeOffset DueAt => TerritoryCalendar.EndOfDay(Territory, RespondBy);

    /// <summary>Raised once, and only while no opinion is adopted.</summary>
    public OpinionOverdue? RaiseOverdueIfLate(DateTimeOffset now)
    {
        if (IsFinal || OverdueRaisedAt is not null || now < DueAt)
            return null;
        OverdueRaisedAt = now;
        return new OpinionOverdue
        {
            ReviewId = Id,
            Territory = Territory,
            RespondBy = RespondBy,
        };
    }

    /// <summary>The document the prosecutor's office receives: the opinion and the figures it rests on, no personal data.</summary>
    public object TransmittedDocument() =>
        new
        {
            reviewId = Id,
            territory = Territory.Value,
            measure = ClosedList<Art41MeasureKind>.WordOf(Measure),
            measureName = Art41Measure.Of(Measure).FrenchName,
            periodStart = PeriodStart,
            periodEnd = PeriodEnd,
            respondBy = RespondBy,
            verdict = Verdict is { } v ? ClosedList<OpinionVerdict>.WordOf(v) : null,
            recommendations = Recommendations.Select(ClosedList<OpinionRecommendation>.WordOf).ToList(),
            text = Text,
            indicators = new
            {
                measuresOrdered = MeasuresOrdered,
                measuresCarriedOut = MeasuresCarriedOut,
                completionRatePercent = CompletionRatePercent,
                medianDelayDays = MedianDelayDays,
                structureCapacity = StructureCapacity,
            },
            contributions = Contributions.Count,
            adoptedAt = AdoptedAt,
        };

    private void EnsureOpenForChange()
    {
        if (IsFinal)
            throw OutOfStep(ReviewReasons.ReviewClosed, "status", "The opinion is adopted: the review no longer changes.");
    }

    /// <summary>
    /// The field leads the sentence: senders over the bus read it in the fault text (<c>invalid-field: respondBy: …</c>),
    /// and the HTTP answer names the same field.
    /// </summary>
    private static RuleViolation Invalid(string reasonCode, string field, string reason) => new(reasonCode, field, $"{field}: {reason}");

    /// <summary>A step taken out of order: the values may be right, the review is not where the step needs it.</summary>
    private static RuleViolation OutOfStep(string reasonCode, string field, string reason) =>
        new(reasonCode, field, $"{field}: {reason}", ViolationKind.StateConflict);

    private static void Figure(string field, int value)
    {
        if (value is < 0 or > FigureMax)
            throw Invalid(ReasonCodes.InvalidField, field, $"A figure is a count between 0 and {FigureMax}.");
    }
}

/// <summary>A partner's written contribution to a review.</summary>
public sealed class ReviewContribution
{
    public Guid Id { get; init; }
    public PartnerId Partner { get; init; }
    public string Text { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
}
