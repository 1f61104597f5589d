using System.Security.Claims;
using System.Text.Json.Serialization;
using Coordination.Contracts;
using Coordination.Contracts.Opinions;
using Coordination.Contracts.Values;
using Coordination.Opinions.Consumers;
using Coordination.Opinions.Domain;
using Coordination.Opinions.Persistence;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Opinions.Api;

/// <summary>What an operator types to open a review: every field optional here, so that each missing one is named.</summary>
public sealed record OpenReviewRequest(string? Territory, string? Measure, string? PeriodStart, string? PeriodEnd, string? RespondBy);

public sealed record IndicatorsRequest(int? MeasuresOrdered, int? MeasuresCarriedOut, int? MedianDelayDays, int? StructureCapacity);

public sealed record DraftRequest(string? Verdict, string[]? Recommendations, string? Text);

public sealed record IndicatorsView(int MeasuresOrdered, int MeasuresCarriedOut, int? CompletionRatePercent, int MedianDelayDays, int StructureCapacity, DateTimeOffset RecordedAt);

public sealed record OpinionView(
    [property: JsonConverter(typeof(KebabCaseEnumConverter<OpinionVerdict>))] OpinionVerdict Verdict,
    IReadOnlyList<string> Recommendations, string? Text, DateTimeOffset DraftedAt, DateTimeOffset? AdoptedAt, DateTimeOffset? TransmittedAt, Guid? ReleaseId);

public sealed record ContributionView(string Partner, string Text, DateTimeOffset ReceivedAt);

public sealed record ReviewView(
    Guid Id, string Territory,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<Art41MeasureKind>))] Art41MeasureKind Measure,
    DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly RespondBy, string OpenedBy, DateTimeOffset OpenedAt,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<ReviewStatus>))] ReviewStatus Status,
    IndicatorsView? Indicators, int Contributions, OpinionView? Opinion, bool Overdue, string? TransmissionRefusal)
{
    public static ReviewView Of(Art41Review r) => new(r.Id, r.Territory.Value, r.Measure, r.PeriodStart, r.PeriodEnd, r.RespondBy, r.OpenedBy, r.OpenedAt, r.Status,
        r.IndicatorsRecordedAt is { } at ? new IndicatorsView(r.MeasuresOrdered!.Value, r.MeasuresCarriedOut!.Value, r.CompletionRatePercent, r.MedianDelayDays!.Value, r.StructureCapacity!.Value, at) : null,
        r.Contributions.Count,
        r.Verdict is { } v ? new OpinionView(v, r.Recommendations.Select(ClosedList<OpinionRecommendation>.WordOf).ToList(), r.Text, r.DraftedAt!.Value, r.AdoptedAt, r.TransmittedAt, r.ReleaseId) : null,
        r.OverdueRaisedAt is not null, r.TransmissionRefusal);
}

/// <summary>Operators of a territory run its reviews: open, record the figures, draft, adopt (and so transmit), list.</summary>
public static class OpinionsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Aggregate figures and opinions, no personal data: no access-log entry, but territory-scoped.
        var reviews = app.MapGroup("/opinions/reviews").WithTags("Opinions").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        reviews.MapPost("/", OpenAsync);
        reviews.MapGet("/", ListReviewsAsync);
        reviews.MapGet("/{id:guid}", GetAsync);
        reviews.MapPut("/{id:guid}/indicators", RecordIndicatorsAsync);
        reviews.MapPut("/{id:guid}/draft", DraftAsync);
        reviews.MapPost("/{id:guid}/adoption", AdoptAsync);
        reviews.MapPost("/{id:guid}/transmission", TransmitAgainAsync);
        reviews.MapGet("/{id:guid}/contributions", ContributionsAsync);
        app.MapGet("/opinions", ListOpinionsAsync).WithTags("Opinions").RequireAuthorization(CoordinationPolicies.TerritoryOperator);
    }

    private static async Task<IResult> OpenAsync(HttpRequest request, ClaimsPrincipal user, OpinionsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<OpenReviewRequest>(ct);
        if (problem is not null) return problem;
        if (TerritoryCode.TryParse(body!.Territory, out var claimed) && !user.ActsFor(claimed)) return Problems.Forbidden();

        var errors = new List<(string Field, string ReasonCode, string Message)>();
        TerritoryCode territory = default;
        if (string.IsNullOrWhiteSpace(body.Territory)) errors.Add(("territory", ReasonCodes.MissingField, "The territory is required."));
        else if (!TerritoryCode.TryParse(body.Territory, out territory)) errors.Add(("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code."));
        Art41MeasureKind measure = default;
        if (string.IsNullOrWhiteSpace(body.Measure)) errors.Add(("measure", ReasonCodes.MissingField, "The measure kind is required."));
        else if (!ClosedList<Art41MeasureKind>.TryParse(body.Measure, out measure))
            errors.Add(("measure", ReasonCodes.InvalidField, $"The measure is one of: {string.Join(", ", ClosedList<Art41MeasureKind>.Words.Order())}."));
        var periodStart = Date(body.PeriodStart, "periodStart", errors);
        var periodEnd = Date(body.PeriodEnd, "periodEnd", errors);
        var respondBy = Date(body.RespondBy, "respondBy", errors);
        if (errors.Count > 0) return Problems.Validation("The review was not opened.", errors);

        try
        {
            var review = await ReviewOpening.OpenAsync(db, new RequestArt41Review
            {
                ReviewId = NewId.NextGuid(), Territory = territory, Measure = measure, PeriodStart = periodStart, PeriodEnd = periodEnd, RespondBy = respondBy,
            }, user.SubjectOf(), clock.GetUtcNow(), ct);
            db.PublishOnCommit(review.Opened());
            await db.SaveChangesAsync(ct);
            return Results.Created($"/opinions/reviews/{review.Id}", ReviewView.Of(review));
        }
        catch (MessageRejectedException e)
        {
            return Refused(e.ReasonCode, e.Reason, "The review was not opened.");
        }
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, OpinionsDbContext db, CancellationToken ct)
    {
        var review = await db.Reviews.AsNoTracking().Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == id, ct);
        // Missing and elsewhere answer alike: a caller learns nothing of other territories' reviews.
        return review is null || !user.ActsFor(review.Territory) ? Problems.Forbidden() : Results.Ok(ReviewView.Of(review));
    }

    private static async Task<IResult> ListReviewsAsync(string? territory, string? measure, ClaimsPrincipal user, OpinionsDbContext db, CancellationToken ct) =>
        await ListAsync(territory, measure, user, db, adoptedOnly: false, ct);

    /// <summary>The adopted opinions (transmitted or not) of the caller's territories.</summary>
    private static async Task<IResult> ListOpinionsAsync(string? territory, string? measure, ClaimsPrincipal user, OpinionsDbContext db, CancellationToken ct) =>
        await ListAsync(territory, measure, user, db, adoptedOnly: true, ct);

    private static async Task<IResult> ListAsync(string? territory, string? measure, ClaimsPrincipal user, OpinionsDbContext db, bool adoptedOnly, CancellationToken ct)
    {
        var query = db.Reviews.AsNoTracking().Include(r => r.Contributions).AsQueryable();
        if (territory is not null)
        {
            if (!TerritoryCode.TryParse(territory, out var code))
                return Problems.Validation("Unknown territory.", [("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code.")]);
            if (!user.ActsFor(code)) return Problems.Forbidden();
            query = query.Where(r => r.Territory == code);
        }
        else
        {
            var mine = user.TerritoriesOf().ToList();
            query = query.Where(r => mine.Contains(r.Territory));
        }
        if (measure is not null)
        {
            if (!ClosedList<Art41MeasureKind>.TryParse(measure, out var kind))
                return Problems.Validation("Unknown measure kind.", [("measure", ReasonCodes.InvalidField, $"The measure is one of: {string.Join(", ", ClosedList<Art41MeasureKind>.Words.Order())}.")]);
            query = query.Where(r => r.Measure == kind);
        }
        if (adoptedOnly) query = query.Where(r => r.Status == ReviewStatus.Adopted || r.Status == ReviewStatus.Transmitted);
        var list = await query.ToListAsync(ct);
        return Results.Ok(list.OrderByDescending(r => r.OpenedAt).Select(ReviewView.Of));
    }

    private static async Task<IResult> RecordIndicatorsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, OpinionsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<IndicatorsRequest>(ct);
        if (problem is not null) return problem;
        var missing = new (string Field, int? Value)[]
        {
            ("measuresOrdered", body!.MeasuresOrdered), ("measuresCarriedOut", body.MeasuresCarriedOut), ("medianDelayDays", body.MedianDelayDays), ("structureCapacity", body.StructureCapacity),
        }.Where(f => f.Value is null).Select(f => (f.Field, ReasonCodes.MissingField, "Every indicator is required (a count, 0 where none).")).ToList();
        if (missing.Count > 0) return Problems.Validation("The indicators were not recorded.", missing);
        return await ChangeAsync(id, user, db, ct, "The indicators were not recorded.",
            review => review.RecordIndicators(body.MeasuresOrdered!.Value, body.MeasuresCarriedOut!.Value, body.MedianDelayDays!.Value, body.StructureCapacity!.Value, clock.GetUtcNow()));
    }

    private static async Task<IResult> DraftAsync(Guid id, HttpRequest request, ClaimsPrincipal user, OpinionsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await request.ReadJsonBodyAsync<DraftRequest>(ct);
        if (problem is not null) return problem;
        var errors = new List<(string Field, string ReasonCode, string Message)>();
        OpinionVerdict verdict = default;
        if (string.IsNullOrWhiteSpace(body!.Verdict)) errors.Add(("verdict", ReasonCodes.MissingField, "The verdict is required."));
        else if (!ClosedList<OpinionVerdict>.TryParse(body.Verdict, out verdict))
            errors.Add(("verdict", ReasonCodes.InvalidField, $"The verdict is one of: {string.Join(", ", ClosedList<OpinionVerdict>.Words.Order())}."));
        var recommendations = new List<OpinionRecommendation>();
        foreach (var word in body.Recommendations ?? [])
        {
            if (ClosedList<OpinionRecommendation>.TryParse(word, out var recommendation)) recommendations.Add(recommendation);
            else errors.Add(("recommendations", ReasonCodes.InvalidField, $"Recommendations come from the closed list: {string.Join(", ", ClosedList<OpinionRecommendation>.Words.Order())}."));
        }
        if (errors.Count > 0) return Problems.Validation("The opinion was not drafted.", errors);
        return await ChangeAsync(id, user, db, ct, "The opinion was not drafted.", review => review.Draft(verdict, recommendations, body.Text, clock.GetUtcNow()));
    }

    private static Task<IResult> AdoptAsync(Guid id, ClaimsPrincipal user, OpinionsDbContext db, SealingKeyStore keys, IOptions<OpinionsOptions> options, TimeProvider clock, CancellationToken ct) =>
        ChangeAsync(id, user, db, ct, "The opinion was not adopted.", review => OpinionTransmission.AdoptAndTransmit(db, review, keys, options.Value, clock.GetUtcNow()));

    /// <summary>Sends an adopted opinion the gateway refused once more (after the rules are fixed, say); its content does not change.</summary>
    private static Task<IResult> TransmitAgainAsync(Guid id, ClaimsPrincipal user, OpinionsDbContext db, SealingKeyStore keys, IOptions<OpinionsOptions> options, TimeProvider clock, CancellationToken ct) =>
        ChangeAsync(id, user, db, ct, "The opinion was not sent again.", review => OpinionTransmission.Transmit(db, review, keys, options.Value, clock.GetUtcNow()));

    /// <summary>What the partners wrote, for the bodies drafting the opinion.</summary>
    private static async Task<IResult> ContributionsAsync(Guid id, ClaimsPrincipal user, OpinionsDbContext db, CancellationToken ct)
    {
        var review = await db.Reviews.AsNoTracking().Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (review is null || !user.ActsFor(review.Territory)) return Problems.Forbidden();
        return Results.Ok(review.Contributions.OrderBy(c => c.ReceivedAt).Select(c => new ContributionView(c.Partner.Value, c.Text, c.ReceivedAt)));
    }

    /// <summary>One change to one review of the caller's territories, committed with what it publishes.</summary>
    private static async Task<IResult> ChangeAsync(Guid id, ClaimsPrincipal user, OpinionsDbContext db, CancellationToken ct, string title, Action<Art41Review> change)
    {
        var review = await db.Reviews.Include(r => r.Contributions).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (review is null || !user.ActsFor(review.Territory)) return Problems.Forbidden();
        try { change(review); }
        catch (ReviewRuleException e)
        {
            return e.IsStateConflict ? Refused(e.ReasonCode, e.Reason, title) : Problems.Validation(title, [(e.Field, e.ReasonCode, e.Reason)]);
        }
        review.Touch();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Refused("review-changed", "The review changed at the same moment (another operator, a message, the deadline); read it again.", title);
        }
        return Results.Ok(ReviewView.Of(review));
    }

    /// <summary>A request that is well-formed but out of step with the review (or another review): 409, with its reason code.</summary>
    private static IResult Refused(string reasonCode, string reason, string title) =>
        reasonCode is ReasonCodes.InvalidField or ReasonCodes.MissingField or ReasonCodes.UnknownTerritory
            ? Problems.Validation(title, [(reason.Split(':')[0], reasonCode, reason)])
            : Results.Problem(title: title, detail: reason, statusCode: StatusCodes.Status409Conflict, type: Problems.TypeOf(reasonCode),
                extensions: new Dictionary<string, object?> { ["reasonCode"] = reasonCode });

    private static DateOnly Date(string? text, string field, List<(string Field, string ReasonCode, string Message)> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) errors.Add((field, ReasonCodes.MissingField, "The date is required (yyyy-MM-dd)."));
        else if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date)) return date;
        else errors.Add((field, ReasonCodes.InvalidField, "Dates are written yyyy-MM-dd."));
        return default;
    }
}
