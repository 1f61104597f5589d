using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

public sealed record SharingRuleRequest(
    string? Category,
    string[]? Roles,
    string? Purpose,
    string? LegalBasis,
    DateOnly? EndsOn,
    string[]? Restrictions = null
);

public sealed record AdoptSharingRulesRequest(DateTimeOffset? InForceFrom, string[]? ProposedBy, SharingRuleRequest[]? Rules);

public sealed record SharingRulesView(
    string Territory,
    int Version,
    DateTimeOffset InForceFrom,
    DateTimeOffset AdoptedAt,
    string AdoptedBy,
    IReadOnlyList<string> ProposedBy,
    IReadOnlyList<SharingRule> Rules
)
{
    public static SharingRulesView Of(SharingRulesVersion v) =>
        new(v.Territory.Value, v.Version, v.InForceFrom, v.AdoptedAt, v.AdoptedBy, v.ProposedBy, v.Rules);
}

public static class SharingRulesApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/sharing-rules").WithTags("Sharing rules");
        rules.MapPost("/{territory}", AdoptAsync).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
        rules.MapGet("/{territory}", InForceAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        rules.MapGet("/{territory}/history", HistoryAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
    }

    /// <summary>The CDPD adopts a new version of its règlement intérieur, on its working groups' proposal.</summary>
    private static async Task<IResult> AdoptAsync(
        string territory,
        HttpRequest request,
        ClaimsPrincipal user,
        AdoptSharingRulesHandler handler,
        CancellationToken cancellationToken
    )
    {
        if (!TerritoryCode.TryParse(territory, out var code))
            return UnknownTerritory();
        if (!user.ActsFor(code))
            return Problems.Forbidden();
        var (body, problem) = await request.ReadJsonBodyAsync<AdoptSharingRulesRequest>(cancellationToken);
        if (problem is not null)
            return problem;

        var errors = new List<RuleViolation>();
        var proposedBy = (body!.ProposedBy ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).ToList();
        if (proposedBy.Count == 0)
            errors.Add(new RuleViolation(ReasonCodes.MissingField, "proposedBy", "Name the working groups that proposed these rules."));
        if (proposedBy.Any(p => p.Length > 200))
            errors.Add(new RuleViolation(ReasonCodes.InvalidField, "proposedBy", "A working group's name is at most 200 characters."));
        var parsed = new List<SharingRule>();
        if (body.Rules is not { Length: > 0 })
            errors.Add(new RuleViolation(ReasonCodes.MissingField, "rules", "At least one rule is required."));
        foreach (var (rule, i) in (body.Rules ?? []).Select((r, i) => (r, i)))
        {
            if (!ClosedList<DataCategory>.TryParse(rule.Category, out var category))
                errors.Add(
                    new RuleViolation(
                        ReasonCodes.InvalidField,
                        $"rules[{i}].category",
                        $"Categories: {string.Join(", ", ClosedList<DataCategory>.Words.Order())}."
                    )
                );
            if (!ClosedList<SharingPurpose>.TryParse(rule.Purpose, out var purpose))
                errors.Add(
                    new RuleViolation(
                        ReasonCodes.InvalidField,
                        $"rules[{i}].purpose",
                        $"Purposes: {string.Join(", ", ClosedList<SharingPurpose>.Words.Order())}."
                    )
                );
            var roles = new List<RecipientRole>();
            foreach (var word in rule.Roles ?? [])
            {
                if (ClosedList<RecipientRole>.TryParse(word, out var role))
                    roles.Add(role);
                else
                    errors.Add(
                        new RuleViolation(
                            ReasonCodes.InvalidField,
                            $"rules[{i}].roles",
                            $"Roles: {string.Join(", ", ClosedList<RecipientRole>.Words.Order())}."
                        )
                    );
            }
            if (roles.Count == 0)
                errors.Add(
                    new RuleViolation(ReasonCodes.MissingField, $"rules[{i}].roles", "A rule grants to at least one recipient role.")
                );
            if (rule.LegalBasis is { Length: > 200 })
                errors.Add(
                    new RuleViolation(ReasonCodes.InvalidField, $"rules[{i}].legalBasis", "The legal basis is at most 200 characters.")
                );
            var restrictions = new List<Coordination.Contracts.Supervision.CaseRestrictionReason>();
            foreach (var word in rule.Restrictions ?? [])
            {
                if (ClosedList<Coordination.Contracts.Supervision.CaseRestrictionReason>.TryParse(word, out var restriction))
                    restrictions.Add(restriction);
                else
                    errors.Add(
                        new RuleViolation(
                            ReasonCodes.InvalidField,
                            $"rules[{i}].restrictions",
                            "Restrictions: "
                                + string.Join(", ", ClosedList<Coordination.Contracts.Supervision.CaseRestrictionReason>.Words.Order())
                                + "."
                        )
                    );
            }
            parsed.Add(
                new SharingRule(
                    category,
                    roles.Distinct().ToList(),
                    purpose,
                    rule.LegalBasis?.Trim(),
                    rule.EndsOn,
                    restrictions.Count == 0 ? null : restrictions.Distinct().ToList()
                )
            );
        }
        if (errors.Count > 0)
            return errors.ToProblem("The sharing rules were not adopted.");

        var version = await handler.AdoptAsync(code, body.InForceFrom, proposedBy, parsed, user.SubjectOf(), cancellationToken);
        return Results.Created($"/sharing-rules/{code.Value}/history", SharingRulesView.Of(version));
    }

    private static async Task<IResult> InForceAsync(
        string territory,
        DateTimeOffset? at,
        ClaimsPrincipal user,
        SharingRulesQueries queries,
        CancellationToken cancellationToken
    )
    {
        if (!TerritoryCode.TryParse(territory, out var code))
            return UnknownTerritory();
        if (!user.ActsFor(code))
            return Problems.Forbidden();
        var inForce = await queries.InForceAsync(code, at, cancellationToken);
        return inForce is null
            ? Results.Problem(
                title: "No sharing rules are in force for this territory at that time: nothing confidential is released.",
                statusCode: StatusCodes.Status404NotFound,
                type: Problems.TypeOf("no-rules-in-force"),
                extensions: new Dictionary<string, object?> { ["reasonCode"] = "no-rules-in-force" }
            )
            : Results.Ok(SharingRulesView.Of(inForce));
    }

    private static async Task<IResult> HistoryAsync(
        string territory,
        ClaimsPrincipal user,
        SharingRulesQueries queries,
        CancellationToken cancellationToken
    )
    {
        if (!TerritoryCode.TryParse(territory, out var code))
            return UnknownTerritory();
        if (!user.ActsFor(code))
            return Problems.Forbidden();
        var history = await queries.HistoryAsync(code, cancellationToken);
        return Results.Ok(history.Select(SharingRulesView.Of));
    }

    private static IResult UnknownTerritory() =>
        new RuleViolation(ReasonCodes.UnknownTerritory, "territory", "The territory must be an INSEE département code.").ToProblem(
            "Unknown territory."
        );
}
