using System.Security.Claims;
using System.Text.Json.Serialization;
using Coordination.Contracts;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Application;
using Coordination.Opinions.Domain;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;
using MassTransit;

namespace Coordination.Opinions.Api;

/// <summary>What an operator types to open a review: every field optional here, so that each missing one is named.</summary>
public sealed record OpenReviewRequest(string? Territory, string? Measure, string? PeriodStart, string? PeriodEnd, string? RespondBy);

public sealed record IndicatorsRequest(int? MeasuresOrdered, int? MeasuresCarriedOut, int? MedianDelayDays, int? StructureCapacity);

public sealed record DraftRequest(string? Verdict, string[]? Recommendations, string? Text);

public sealed record IndicatorsView(
    int MeasuresOrdered,
    int MeasuresCarriedOut,
    int? CompletionRatePercent,
    int MedianDelayDays,
    int StructureCapacity,
    DateTimeOffset RecordedAt
);

public sealed record OpinionView(
    [property: JsonConverter(typeof(KebabCaseEnumConverter<OpinionVerdict>))] OpinionVerdict Verdict,
    IReadOnlyList<string> Recommendations,
    string? Text,
    DateTimeOffset DraftedAt,
    DateTimeOffset? AdoptedAt,
    DateTimeOffset? TransmittedAt,
    Guid? ReleaseId
);

public sealed record ContributionView(string Partner, string Text, DateTimeOffset ReceivedAt);

public sealed record ReviewView(
    Guid Id,
    string Territory,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<Art41MeasureKind>))] Art41MeasureKind Measure,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    DateOnly RespondBy,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<ReviewStatus>))] ReviewStatus Status,
    IndicatorsView? Indicators,
    int Contributions,
    OpinionView? Opinion,
    bool Overdue,
    string? TransmissionRefusal
)
{
    public static ReviewView Of(Art41Review r) =>
        new(
            r.Id,
            r.Territory.Value,
            r.Measure,
            r.PeriodStart,
            r.PeriodEnd,
            r.RespondBy,
            r.OpenedBy,
            r.OpenedAt,
            r.Status,
            r.IndicatorsRecordedAt is { } at
                ? new IndicatorsView(
                    r.MeasuresOrdered!.Value,
                    r.MeasuresCarriedOut!.Value,
                    r.CompletionRatePercent,
                    r.MedianDelayDays!.Value,
                    r.StructureCapacity!.Value,
                    at
                )
                : null,
            r.Contributions.Count,
            r.Verdict is { } v
                ? new OpinionView(
                    v,
                    r.Recommendations.Select(ClosedList<OpinionRecommendation>.WordOf).ToList(),
                    r.Text,
                    r.DraftedAt!.Value,
                    r.AdoptedAt,
                    r.TransmittedAt,
                    r.ReleaseId
                )
                : null,
            r.OverdueRaisedAt is not null,
            r.TransmissionRefusal
        );
}

/// <summary>Operators of a territory run its reviews: open, record the figures, draft, adopt (and so transmit), list.</summary>
public static class OpinionsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Aggregate figures and opinions, no personal data: no access-log entry, but territory-scoped.
        var reviews = app.MapGroup("/opinions/reviews").WithTags("Opinions").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        // A broken rule answers 400 with its field or 409 for a step out of order, with the reason code the bus gives.
        reviews.MapPost("/", OpenAsync).AddEndpointFilter(RuleViolationProblems.Filter("The review was not opened."));
        reviews.MapGet("/", ListReviewsAsync);
        reviews.MapGet("/{id:guid}", GetAsync);
        reviews
            .MapPut("/{id:guid}/indicators", RecordIndicatorsAsync)
            .AddEndpointFilter(RuleViolationProblems.Filter("The indicators were not recorded."));
        reviews.MapPut("/{id:guid}/draft", DraftAsync).AddEndpointFilter(RuleViolationProblems.Filter("The opinion was not drafted."));
        reviews.MapPost("/{id:guid}/adoption", AdoptAsync).AddEndpointFilter(RuleViolationProblems.Filter("The opinion was not adopted."));
        reviews
            .MapPost("/{id:guid}/transmission", TransmitAgainAsync)
            .AddEndpointFilter(RuleViolationProblems.Filter("The opinion was not sent again."));
        reviews.MapGet("/{id:guid}/contributions", ContributionsAsync);
        app.MapGet("/opinions", ListOpinionsAsync).WithTags("Opinions").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
    }

    private static async Task<IResult> OpenAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        RequestArt41ReviewHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<OpenReviewRequest>(ct);
        if (problem is not null)
            return problem;
        if (TerritoryCode.TryParse(body!.Territory, out var claimed) && !user.ActsFor(claimed))
            return Problems.Forbidden();

        var errors = new List<(string Field, string ReasonCode, string Message)>();
        TerritoryCode territory = default;
        if (string.IsNullOrWhiteSpace(body.Territory))
            errors.Add(("territory", ReasonCodes.MissingField, "The territory is required."));
        else if (!TerritoryCode.TryParse(body.Territory, out territory))
            errors.Add(("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code."));
        Art41MeasureKind measure = default;
        if (string.IsNullOrWhiteSpace(body.Measure))
            errors.Add(("measure", ReasonCodes.MissingField, "The measure kind is required."));
        else if (!ClosedList<Art41MeasureKind>.TryParse(body.Measure, out measure))
            errors.Add(
                (
                    "measure",
                    ReasonCodes.InvalidField,
                    $"The measure is one of: {string.Join(", ", ClosedList<Art41MeasureKind>.Words.Order())}."
                )
            );
        var periodStart = Date(body.PeriodStart, "periodStart", errors);
        var periodEnd = Date(body.PeriodEnd, "periodEnd", errors);
        var respondBy = Date(body.RespondBy, "respondBy", errors);
        if (errors.Count > 0)
            return Problems.Validation("The review was not opened.", errors);

        var review = await handler.OpenAsync(
            new RequestArt41Review
            {
                ReviewId = NewId.NextGuid(),
                Territory = territory,
                Measure = measure,
                PeriodStart = periodStart,
                PeriodEnd = periodEnd,
                RespondBy = respondBy,
            },
            user.SubjectOf(),
            ct
        );
        return Results.Created($"/opinions/reviews/{review.Id}", ReviewView.Of(review));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, ReviewQueries queries, CancellationToken ct)
    {
        var review = await queries.FindAsync(id, ct);
        // Missing and elsewhere answer alike: a caller learns nothing of other territories' reviews.
        return review is null || !user.ActsFor(review.Territory) ? Problems.Forbidden() : Results.Ok(ReviewView.Of(review));
    }

    private static Task<IResult> ListReviewsAsync(
        string? territory,
        string? measure,
        ClaimsPrincipal user,
        ReviewQueries queries,
        CancellationToken ct
    ) => ListAsync(territory, measure, user, queries, adoptedOnly: false, ct);

    /// <summary>The adopted opinions (transmitted or not) of the caller's territories.</summary>
    private static Task<IResult> ListOpinionsAsync(
        string? territory,
        string? measure,
        ClaimsPrincipal user,
        ReviewQueries queries,
        CancellationToken ct
    ) => ListAsync(territory, measure, user, queries, adoptedOnly: true, ct);

    private static async Task<IResult> ListAsync(
        string? territory,
        string? measure,
        ClaimsPrincipal user,
        ReviewQueries queries,
        bool adoptedOnly,
        CancellationToken ct
    )
    {
        List<TerritoryCode> territories;
        if (territory is not null)
        {
            if (!TerritoryCode.TryParse(territory, out var code))
                return Problems.Validation(
                    "Unknown territory.",
                    [("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code.")]
                );
            if (!user.ActsFor(code))
                return Problems.Forbidden();
            territories = [code];
        }
        else
            territories = user.TerritoriesOf().ToList();
        Art41MeasureKind? kind = null;
        if (measure is not null)
        {
            if (!ClosedList<Art41MeasureKind>.TryParse(measure, out var parsed))
                return Problems.Validation(
                    "Unknown measure kind.",
                    [
                        (
                            "measure",
                            ReasonCodes.InvalidField,
                            $"The measure is one of: {string.Join(", ", ClosedList<Art41MeasureKind>.Words.Order())}."
                        ),
                    ]
                );
            kind = parsed;
        }
        var list = await queries.ListAsync(territories, kind, adoptedOnly, ct);
        return Results.Ok(list.Select(ReviewView.Of));
    }

    private static async Task<IResult> RecordIndicatorsAsync(
        Guid id,
        HttpRequest request,
        ClaimsPrincipal user,
        SubmitImplementationIndicatorsHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<IndicatorsRequest>(ct);
        if (problem is not null)
            return problem;
        var missing = new (string Field, int? Value)[]
        {
            ("measuresOrdered", body!.MeasuresOrdered),
            ("measuresCarriedOut", body.MeasuresCarriedOut),
            ("medianDelayDays", body.MedianDelayDays),
            ("structureCapacity", body.StructureCapacity),
        }
            .Where(f => f.Value is null)
            .Select(f => (f.Field, ReasonCodes.MissingField, "Every indicator is required (a count, 0 where none)."))
            .ToList();
        if (missing.Count > 0)
            return Problems.Validation("The indicators were not recorded.", missing);
        return Answer(
            await handler.RecordAsync(
                id,
                user.ActsFor,
                body.MeasuresOrdered!.Value,
                body.MeasuresCarriedOut!.Value,
                body.MedianDelayDays!.Value,
                body.StructureCapacity!.Value,
                ct
            )
        );
    }

    private static async Task<IResult> DraftAsync(
        Guid id,
        HttpRequest request,
        ClaimsPrincipal user,
        DraftOpinionHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<DraftRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<(string Field, string ReasonCode, string Message)>();
        OpinionVerdict verdict = default;
        if (string.IsNullOrWhiteSpace(body!.Verdict))
            errors.Add(("verdict", ReasonCodes.MissingField, "The verdict is required."));
        else if (!ClosedList<OpinionVerdict>.TryParse(body.Verdict, out verdict))
            errors.Add(
                (
                    "verdict",
                    ReasonCodes.InvalidField,
                    $"The verdict is one of: {string.Join(", ", ClosedList<OpinionVerdict>.Words.Order())}."
                )
            );
        var recommendations = new List<OpinionRecommendation>();
        foreach (var word in body.Recommendations ?? [])
        {
            if (ClosedList<OpinionRecommendation>.TryParse(word, out var recommendation))
                recommendations.Add(recommendation);
            else
                errors.Add(
                    (
                        "recommendations",
                        ReasonCodes.InvalidField,
                        $"Recommendations come from the closed list: {string.Join(", ", ClosedList<OpinionRecommendation>.Words.Order())}."
                    )
                );
        }
        if (errors.Count > 0)
            return Problems.Validation("The opinion was not drafted.", errors);
        return Answer(await handler.DraftAsync(id, user.ActsFor, verdict, recommendations, body.Text, ct));
    }

    private static async Task<IResult> AdoptAsync(Guid id, ClaimsPrincipal user, AdoptOpinionHandler handler, CancellationToken ct) =>
        Answer(await handler.AdoptAsync(id, user.ActsFor, ct));

    /// <summary>
    /// Sends an adopted opinion the gateway refused once more (after the rules are fixed, say); its content does not change.
    /// </summary>
    private static async Task<IResult> TransmitAgainAsync(
        Guid id,
        ClaimsPrincipal user,
        TransmitOpinionAgainHandler handler,
        CancellationToken ct
    ) => Answer(await handler.TransmitAgainAsync(id, user.ActsFor, ct));

    /// <summary>What the partners wrote, for the bodies drafting the opinion.</summary>
    private static async Task<IResult> ContributionsAsync(Guid id, ClaimsPrincipal user, ReviewQueries queries, CancellationToken ct)
    {
        var review = await queries.FindAsync(id, ct);
        if (review is null || !user.ActsFor(review.Territory))
            return Problems.Forbidden();
        return Results.Ok(
            review.Contributions.OrderBy(c => c.ReceivedAt).Select(c => new ContributionView(c.Partner.Value, c.Text, c.ReceivedAt))
        );
    }

    /// <summary>The review as a change left it; none when the caller has no such review (missing and elsewhere answer alike).</summary>
    private static IResult Answer(Art41Review? changed) => changed is null ? Problems.Forbidden() : Results.Ok(ReviewView.Of(changed));

    private static DateOnly Date(string? text, string field, List<(string Field, string ReasonCode, string Message)> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
            errors.Add((field, ReasonCodes.MissingField, "The date is required (yyyy-MM-dd)."));
        else if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date))
            return date;
        else
            errors.Add((field, ReasonCodes.InvalidField, "Dates are written yyyy-MM-dd."));
        return default;
    }
}
