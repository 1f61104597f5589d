using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

public sealed record RegisterAgencyRequest(string? Account, string? Role, string[]? Territories, string? Name);

public sealed record RegisterJurisdictionRequest(
    string? Id,
    string? Name,
    string? Territory,
    string? SentenceEnforcementCourt,
    string? ProbationService
);

public sealed record RegisterPartnerRequest(string? Id, string? Role, string? Name);

public sealed record AgencyView(
    string Account,
    string Role,
    IReadOnlyList<string> Territories,
    string Name,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? RetiredAt,
    string? CurrentKeyId
)
{
    public static AgencyView Of(RegisteredAgency a, string? keyId) =>
        new(
            a.Account,
            CoordinationClaims.Word(a.Role),
            a.TerritorySet.Select(t => t.Value).Order().ToList(),
            a.Name,
            a.RegisteredAt,
            a.RetiredAt,
            keyId
        );
}

public sealed record JurisdictionView(
    string Id,
    string Name,
    string Territory,
    string SentenceEnforcementCourt,
    string ProbationService,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? RetiredAt
)
{
    public static JurisdictionView Of(RegisteredJurisdiction j) =>
        new(j.Id, j.Name, j.Territory.Value, j.SentenceEnforcementCourt, j.ProbationService, j.RegisteredAt, j.RetiredAt);
}

public sealed record PartnerView(
    string Id,
    string Territory,
    string Role,
    string Name,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? RetiredAt
)
{
    public static PartnerView Of(RegisteredPartner p) =>
        new(p.Id, p.Territory.Value, ClosedList<PartnerRole>.WordOf(p.Role), p.Name, p.RegisteredAt, p.RetiredAt);
}

/// <summary>
/// The directory as data (ADR 16): the CDPD secretariat registers and retires agencies, jurisdictions and
/// partners of its territories. Every change is audited in the chain in the same commit; a partner
/// change is published to Supervision in that commit too (outbox), so that its copy follows.
/// </summary>
public static class DirectoryApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // A change the directory's state forbids answers 409 titled by its own sentence, as it always has.
        var directory = app.MapGroup("/directory").WithTags("Directory").AddEndpointFilter(GatewayProblems.ConflictsTitledByReason);
        directory.MapGet("/agencies", ListAgenciesAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        directory
            .MapPost("/agencies", RegisterAgencyAsync)
            .RequireAuthorization(CoordinationPolicies.CdpdSecretariat)
            .Accepts<RegisterAgencyRequest>("application/json")
            .Produces<AgencyView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        directory.MapPost("/agencies/{account}/retirement", RetireAgencyAsync).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
        directory.MapGet("/jurisdictions", ListJurisdictionsAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        directory
            .MapPost("/jurisdictions", RegisterJurisdictionAsync)
            .RequireAuthorization(CoordinationPolicies.CdpdSecretariat)
            .Accepts<RegisterJurisdictionRequest>("application/json")
            .Produces<JurisdictionView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        directory
            .MapPost("/jurisdictions/{id}/retirement", RetireJurisdictionAsync)
            .RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
        directory.MapGet("/partners", ListPartnersAsync).RequireAuthorization(CoordinationPolicies.TerritoryOperator);
        directory
            .MapPost("/partners", RegisterPartnerAsync)
            .RequireAuthorization(CoordinationPolicies.CdpdSecretariat)
            .Accepts<RegisterPartnerRequest>("application/json")
            .Produces<PartnerView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        directory.MapPost("/partners/{id}/retirement", RetirePartnerAsync).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
        directory.MapGet("/export", ExportAsync).RequireAuthorization(CoordinationPolicies.CdpdSecretariat);
    }

    private static async Task<IResult> ListAgenciesAsync(
        ClaimsPrincipal user,
        DirectoryQueries queries,
        SealingKeyStore keys,
        CancellationToken ct
    )
    {
        var mine = user.TerritoriesOf();
        var all = await queries.AgenciesAsync(ct);
        return Results.Ok(
            all.Where(a => a.TerritorySet.Overlaps(mine)).Select(a => AgencyView.Of(a, keys.TryCurrentKeyOf(a.Account)?.KeyId))
        );
    }

    private static async Task<IResult> RegisterAgencyAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        RegisterAgencyHandler handler,
        SealingKeyStore keys,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterAgencyRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<RuleViolation>();
        if (!AgencyId.TryParse(body!.Account, out var account))
            errors.Add(
                new RuleViolation(
                    DirectoryReasons.InvalidAgencyId,
                    "account",
                    "Expected '<territory>-<slug>': the broker account the agency sends under."
                )
            );
        if (!ClosedList<PrincipalRole>.TryParse(body.Role, out var role) || !DirectoryRoles.AgencyRoles.Contains(role))
            errors.Add(
                new RuleViolation(
                    ReasonCodes.InvalidField,
                    "role",
                    $"One of: {string.Join(", ", DirectoryRoles.AgencyRoles.Select(CoordinationClaims.Word).Order())}."
                )
            );
        var territories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var word in body.Territories ?? [])
        {
            if (TerritoryCode.TryParse(word, out var t))
                territories.Add(t.Value);
            else
                errors.Add(
                    new RuleViolation(ReasonCodes.UnknownTerritory, "territories", "Each territory must be an INSEE département code.")
                );
        }
        if (body.Territories is null || body.Territories.Length == 0)
            errors.Add(new RuleViolation(ReasonCodes.MissingField, "territories", "An agency acts for at least one territory."));
        if (account.Value is not null && territories.Count > 0 && !territories.Contains(account.Territory.Value))
            errors.Add(
                new RuleViolation(
                    ReasonCodes.InvalidField,
                    "territories",
                    "The agency's own territory (its account's prefix) is among those it acts for."
                )
            );
        if (string.Join(',', territories).Length > DirectoryLimits.Territories)
            errors.Add(new RuleViolation(ReasonCodes.InvalidField, "territories", "Too many territories for one agency."));
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return errors.ToProblem("The agency was not registered.");
        // The secretariat of every territory the agency would act for: none registers an agency into another's territory.
        if (!territories.All(t => user.ActsFor(TerritoryCode.Parse(t))))
            return Problems.Forbidden();

        var agency = await handler.RegisterAsync(account, role, territories, body.Name!.Trim(), By(user), ct);
        return Results.Created($"/directory/agencies/{agency.Account}", AgencyView.Of(agency, keys.TryCurrentKeyOf(agency.Account)?.KeyId));
    }

    private static async Task<IResult> RetireAgencyAsync(
        string account,
        ClaimsPrincipal user,
        DirectoryQueries queries,
        RetireAgencyHandler handler,
        CancellationToken ct
    )
    {
        if (!AgencyId.IsValid(account))
            return NotFound();
        var agency = await queries.FindAgencyAsync(account, ct);
        if (agency is null)
            return NotFound();
        if (!agency.TerritorySet.All(user.ActsFor))
            return Problems.Forbidden();
        var retired = await handler.RetireAsync(account, By(user), ct);
        return retired is null ? NotFound() : Results.Ok(AgencyView.Of(retired, null));
    }

    private static async Task<IResult> ListJurisdictionsAsync(ClaimsPrincipal user, DirectoryQueries queries, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var all = await queries.JurisdictionsAsync(ct);
        return Results.Ok(all.Where(j => mine.Contains(j.Territory)).Select(JurisdictionView.Of));
    }

    private static async Task<IResult> RegisterJurisdictionAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        DirectoryQueries queries,
        RegisterJurisdictionHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterJurisdictionRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<RuleViolation>();
        if (body!.Id is not { Length: > 0 and <= DirectoryLimits.JurisdictionId } id || !JurisdictionIdShape(id))
            errors.Add(
                new RuleViolation(
                    DirectoryReasons.InvalidJurisdictionId,
                    "id",
                    $"Lower-case letters, digits and dashes, at most {DirectoryLimits.JurisdictionId} characters (tj-paris)."
                )
            );
        if (!TerritoryCode.TryParse(body.Territory, out var territory))
            errors.Add(new RuleViolation(ReasonCodes.UnknownTerritory, "territory", "The territory must be an INSEE département code."));
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return errors.ToProblem("The jurisdiction was not registered.");
        if (!user.ActsFor(territory))
            return Problems.Forbidden();
        // The JAP and SPIP must be active agencies of the jurisdiction's territory, in their role: a court report goes to them only.
        var court = await queries.UnknownAgencyAsync(
            "sentenceEnforcementCourt",
            body.SentenceEnforcementCourt,
            PrincipalRole.SentenceEnforcementCourt,
            territory,
            ct
        );
        var spip = await queries.UnknownAgencyAsync(
            "probationService",
            body.ProbationService,
            PrincipalRole.ProbationService,
            territory,
            ct
        );
        errors.AddRange(new[] { court, spip }.OfType<RuleViolation>());
        if (errors.Count > 0)
            return errors.ToProblem("The jurisdiction was not registered.");

        var jurisdiction = await handler.RegisterAsync(
            body.Id!,
            body.Name!.Trim(),
            territory,
            body.SentenceEnforcementCourt!,
            body.ProbationService!,
            By(user),
            ct
        );
        return Results.Created($"/directory/jurisdictions/{jurisdiction.Id}", JurisdictionView.Of(jurisdiction));
    }

    private static async Task<IResult> RetireJurisdictionAsync(
        string id,
        ClaimsPrincipal user,
        DirectoryQueries queries,
        RetireJurisdictionHandler handler,
        CancellationToken ct
    )
    {
        if (id.Length > DirectoryLimits.JurisdictionId)
            return NotFound();
        var jurisdiction = await queries.FindJurisdictionAsync(id, ct);
        if (jurisdiction is null)
            return NotFound();
        if (!user.ActsFor(jurisdiction.Territory))
            return Problems.Forbidden();
        var retired = await handler.RetireAsync(id, By(user), ct);
        return retired is null ? NotFound() : Results.Ok(JurisdictionView.Of(retired));
    }

    private static async Task<IResult> ListPartnersAsync(ClaimsPrincipal user, DirectoryQueries queries, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var all = await queries.PartnersAsync(ct);
        return Results.Ok(all.Where(p => mine.Contains(p.Territory)).Select(PartnerView.Of));
    }

    private static async Task<IResult> RegisterPartnerAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        DirectoryQueries queries,
        RegisterPartnerHandler handler,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterPartnerRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<RuleViolation>();
        if (!PartnerId.TryParse(body!.Id, out var id))
            errors.Add(
                new RuleViolation("invalid-partner-id", "id", "Expected '<territory>-<slug>', the account the partner sends under.")
            );
        if (!ClosedList<PartnerRole>.TryParse(body.Role, out var role))
            errors.Add(
                new RuleViolation(ReasonCodes.InvalidField, "role", $"One of: {string.Join(", ", ClosedList<PartnerRole>.Words.Order())}.")
            );
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return errors.ToProblem("The partner was not registered.");
        if (!user.ActsFor(id.Territory))
            return Problems.Forbidden();
        // A partner is an agency registered in its role: what it is sent is released to that account only.
        if (await queries.UnknownAgencyAsync("id", id.Value, DirectoryRoles.PrincipalRoleOf(role), id.Territory, ct) is { } unknown)
            return new[] { unknown }.ToProblem("The partner was not registered.");

        var partner = await handler.RegisterAsync(id, role, body.Name!.Trim(), By(user), ct);
        return Results.Created($"/directory/partners/{partner.Id}", PartnerView.Of(partner));
    }

    private static async Task<IResult> RetirePartnerAsync(
        string id,
        ClaimsPrincipal user,
        DirectoryQueries queries,
        RetirePartnerHandler handler,
        CancellationToken ct
    )
    {
        if (!PartnerId.TryParse(id, out _))
            return NotFound();
        var partner = await queries.FindPartnerAsync(id, ct);
        if (partner is null)
            return NotFound();
        if (!user.ActsFor(partner.Territory))
            return Problems.Forbidden();
        var retired = await handler.RetireAsync(id, By(user), ct);
        return retired is null ? NotFound() : Results.Ok(PartnerView.Of(retired));
    }

    /// <summary>
    /// What the broker definitions generator reads (<c>generate-definitions.py --directory</c>): the active
    /// agencies of the caller's territories, with the jurisdictions and partners, and no key or secret.
    /// </summary>
    private static async Task<IResult> ExportAsync(ClaimsPrincipal user, DirectoryQueries queries, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var agencies = (await queries.ActiveAgenciesAsync(ct)).Where(a => a.TerritorySet.Overlaps(mine)).ToList();
        var jurisdictions = (await queries.ActiveJurisdictionsAsync(ct)).Where(j => mine.Contains(j.Territory)).ToList();
        var partners = (await queries.ActivePartnersAsync(ct)).Where(p => mine.Contains(p.Territory)).ToList();
        return Results.Ok(
            new
            {
                territories = mine.Select(t => t.Value).Order(),
                agencies = agencies.Select(a => new
                {
                    account = a.Account,
                    role = CoordinationClaims.Word(a.Role),
                    territories = a.TerritorySet.Select(t => t.Value).Order(),
                }),
                jurisdictions = jurisdictions.Select(j => new
                {
                    id = j.Id,
                    territory = j.Territory.Value,
                    j.SentenceEnforcementCourt,
                    j.ProbationService,
                }),
                partners = partners.Select(p => new
                {
                    id = p.Id,
                    territory = p.Territory.Value,
                    role = ClosedList<PartnerRole>.WordOf(p.Role),
                }),
            }
        );
    }

    private static void NameErrors(string? name, List<RuleViolation> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
            errors.Add(new RuleViolation(ReasonCodes.MissingField, "name", "A name is required."));
        else if (name.Trim().Length > DirectoryLimits.Name)
            errors.Add(new RuleViolation(ReasonCodes.InvalidField, "name", $"At most {DirectoryLimits.Name} characters."));
    }

    private static bool JurisdictionIdShape(string id) =>
        id[0] is >= 'a' and <= 'z'
        && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')
        && !id.EndsWith('-')
        && !id.Contains("--");

    private static string By(ClaimsPrincipal user)
    {
        var subject = user.SubjectOf();
        return subject.Length <= DirectoryLimits.By ? subject : subject[..DirectoryLimits.By];
    }

    private static IResult NotFound() =>
        Results.Problem(
            title: "No entry of the directory under this id.",
            statusCode: StatusCodes.Status404NotFound,
            type: Problems.TypeOf(DirectoryReasons.UnknownEntry),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = DirectoryReasons.UnknownEntry }
        );
}
