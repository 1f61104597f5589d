using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;

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
        var directory = app.MapGroup("/directory").WithTags("Directory");
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
        GatewayDbContext db,
        SealingKeyStore keys,
        CancellationToken ct
    )
    {
        var mine = user.TerritoriesOf();
        var all = await db.Agencies.AsNoTracking().OrderBy(a => a.Account).ToListAsync(ct);
        return Results.Ok(
            all.Where(a => a.TerritorySet.Overlaps(mine)).Select(a => AgencyView.Of(a, keys.TryCurrentKeyOf(a.Account)?.KeyId))
        );
    }

    private static async Task<IResult> RegisterAgencyAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        SealingKeyStore keys,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterAgencyRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<(string, string, string)>();
        if (!AgencyId.TryParse(body!.Account, out var account))
            errors.Add(
                ("account", DirectoryReasons.InvalidAgencyId, "Expected '<territory>-<slug>': the broker account the agency sends under.")
            );
        if (!ClosedList<PrincipalRole>.TryParse(body.Role, out var role) || !DirectoryRoles.AgencyRoles.Contains(role))
            errors.Add(
                ("role", ReasonCodes.InvalidField, $"One of: {string.Join(", ", DirectoryRoles.AgencyRoles.Select(CoordinationClaims.Word).Order())}.")
            );
        var territories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var word in body.Territories ?? [])
        {
            if (TerritoryCode.TryParse(word, out var t))
                territories.Add(t.Value);
            else
                errors.Add(("territories", ReasonCodes.UnknownTerritory, "Each territory must be an INSEE département code."));
        }
        if (body.Territories is null || body.Territories.Length == 0)
            errors.Add(("territories", ReasonCodes.MissingField, "An agency acts for at least one territory."));
        if (account.Value is not null && territories.Count > 0 && !territories.Contains(account.Territory.Value))
            errors.Add(
                ("territories", ReasonCodes.InvalidField, "The agency's own territory (its account's prefix) is among those it acts for.")
            );
        if (string.Join(',', territories).Length > DirectoryLimits.Territories)
            errors.Add(("territories", ReasonCodes.InvalidField, "Too many territories for one agency."));
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return Problems.Validation("The agency was not registered.", errors);
        // The secretariat of every territory the agency would act for: none registers an agency into another's territory.
        if (!territories.All(t => user.ActsFor(TerritoryCode.Parse(t))))
            return Problems.Forbidden();

        var existing = await db.Agencies.SingleOrDefaultAsync(a => a.Account == account.Value, ct);
        if (existing is { Retired: false })
            return Conflict(DirectoryReasons.AlreadyRegistered, "An active agency is registered under this account.");
        var now = clock.GetUtcNow();
        var agency =
            existing
            ?? new RegisteredAgency
            {
                Account = account.Value!,
                Territories = "",
                Name = "",
                RegisteredBy = "",
            };
        // A retired account registered again is the same account coming back: one row, its history in the audit.
        agency.Role = role;
        agency.Territories = string.Join(',', territories);
        agency.Name = body.Name!.Trim();
        agency.RegisteredAt = now;
        agency.RegisteredBy = By(user);
        agency.RetiredAt = null;
        agency.RetiredBy = null;
        if (existing is null)
            db.Agencies.Add(agency);
        audit.Stage(Change(user, AuditKind.DirectoryRegistered, $"agency:{agency.Account}", CoordinationClaims.Word(role), territories));
        if (!await SavedAsync(audit, ct))
            return Conflict(DirectoryReasons.AlreadyRegistered, "An agency was registered under this account meanwhile.");
        return Results.Created($"/directory/agencies/{agency.Account}", AgencyView.Of(agency, keys.TryCurrentKeyOf(agency.Account)?.KeyId));
    }

    private static async Task<IResult> RetireAgencyAsync(
        string account,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (!AgencyId.IsValid(account))
            return NotFound();
        var agency = await db.Agencies.SingleOrDefaultAsync(a => a.Account == account, ct);
        if (agency is null)
            return NotFound();
        if (!agency.TerritorySet.All(user.ActsFor))
            return Problems.Forbidden();
        if (agency.Retired)
            return Conflict(DirectoryReasons.AlreadyRetired, "This agency is already retired.");
        var now = clock.GetUtcNow();
        agency.RetiredAt = now;
        agency.RetiredBy = By(user);
        audit.Stage(
            Change(
                user,
                AuditKind.DirectoryRetired,
                $"agency:{agency.Account}",
                CoordinationClaims.Word(agency.Role),
                agency.Territories.Split(',')
            )
        );
        // The agency was also a partner: it follows no case from now on, in Supervision as here.
        if (await db.Partners.SingleOrDefaultAsync(p => p.Id == account && p.RetiredAt == null, ct) is { } partner)
            RetirePartner(db, audit, user, partner, now);
        await audit.SaveAsync(ct);
        return Results.Ok(AgencyView.Of(agency, null));
    }

    private static async Task<IResult> ListJurisdictionsAsync(ClaimsPrincipal user, GatewayDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var all = await db.Jurisdictions.AsNoTracking().OrderBy(j => j.Id).ToListAsync(ct);
        return Results.Ok(all.Where(j => mine.Contains(j.Territory)).Select(JurisdictionView.Of));
    }

    private static async Task<IResult> RegisterJurisdictionAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterJurisdictionRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<(string, string, string)>();
        if (body!.Id is not { Length: > 0 and <= DirectoryLimits.JurisdictionId } id || !JurisdictionIdShape(id))
            errors.Add(
                (
                    "id",
                    DirectoryReasons.InvalidJurisdictionId,
                    $"Lower-case letters, digits and dashes, at most {DirectoryLimits.JurisdictionId} characters (tj-paris)."
                )
            );
        if (!TerritoryCode.TryParse(body.Territory, out var territory))
            errors.Add(("territory", ReasonCodes.UnknownTerritory, "The territory must be an INSEE département code."));
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return Problems.Validation("The jurisdiction was not registered.", errors);
        if (!user.ActsFor(territory))
            return Problems.Forbidden();
        // The JAP and SPIP must be active agencies of the jurisdiction's territory, in their role: a court report goes to them only.
        await AccountErrorsAsync(
            db,
            "sentenceEnforcementCourt",
            body.SentenceEnforcementCourt,
            PrincipalRole.SentenceEnforcementCourt,
            territory,
            errors,
            ct
        );
        await AccountErrorsAsync(db, "probationService", body.ProbationService, PrincipalRole.ProbationService, territory, errors, ct);
        if (errors.Count > 0)
            return Problems.Validation("The jurisdiction was not registered.", errors);

        var existing = await db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == body.Id, ct);
        if (existing is { RetiredAt: null })
            return Conflict(DirectoryReasons.AlreadyRegistered, "An active jurisdiction is registered under this id.");
        var jurisdiction =
            existing
            ?? new RegisteredJurisdiction
            {
                Id = body.Id!,
                Name = "",
                SentenceEnforcementCourt = "",
                ProbationService = "",
                RegisteredBy = "",
            };
        jurisdiction.Name = body.Name!.Trim();
        jurisdiction.Territory = territory;
        jurisdiction.SentenceEnforcementCourt = body.SentenceEnforcementCourt!;
        jurisdiction.ProbationService = body.ProbationService!;
        jurisdiction.RegisteredAt = clock.GetUtcNow();
        jurisdiction.RegisteredBy = By(user);
        jurisdiction.RetiredAt = null;
        jurisdiction.RetiredBy = null;
        if (existing is null)
            db.Jurisdictions.Add(jurisdiction);
        // CourtReporting schedules the jurisdiction's reports from this, published in the registration's commit.
        db.PublishOnCommit(jurisdiction.Changed(jurisdiction.RegisteredAt, jurisdiction.RegisteredBy));
        audit.Stage(
            Change(
                user,
                AuditKind.DirectoryRegistered,
                $"jurisdiction:{jurisdiction.Id}",
                null,
                [territory.Value],
                $"agency:{jurisdiction.SentenceEnforcementCourt}",
                $"agency:{jurisdiction.ProbationService}"
            )
        );
        if (!await SavedAsync(audit, ct))
            return Conflict(DirectoryReasons.AlreadyRegistered, "A jurisdiction was registered under this id meanwhile.");
        return Results.Created($"/directory/jurisdictions/{jurisdiction.Id}", JurisdictionView.Of(jurisdiction));
    }

    private static async Task<IResult> RetireJurisdictionAsync(
        string id,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (id.Length > DirectoryLimits.JurisdictionId)
            return NotFound();
        var jurisdiction = await db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (jurisdiction is null)
            return NotFound();
        if (!user.ActsFor(jurisdiction.Territory))
            return Problems.Forbidden();
        if (jurisdiction.RetiredAt is not null)
            return Conflict(DirectoryReasons.AlreadyRetired, "This jurisdiction is already retired.");
        jurisdiction.RetiredAt = clock.GetUtcNow();
        jurisdiction.RetiredBy = By(user);
        // CourtReporting drops the jurisdiction's pending deadline: no report is issued for it from now on.
        db.PublishOnCommit(jurisdiction.Changed(jurisdiction.RetiredAt.Value, jurisdiction.RetiredBy));
        audit.Stage(Change(user, AuditKind.DirectoryRetired, $"jurisdiction:{jurisdiction.Id}", null, [jurisdiction.Territory.Value]));
        await audit.SaveAsync(ct);
        return Results.Ok(JurisdictionView.Of(jurisdiction));
    }

    private static async Task<IResult> ListPartnersAsync(ClaimsPrincipal user, GatewayDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var all = await db.Partners.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        return Results.Ok(all.Where(p => mine.Contains(p.Territory)).Select(PartnerView.Of));
    }

    private static async Task<IResult> RegisterPartnerAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        var (body, problem) = await request.ReadJsonBodyAsync<RegisterPartnerRequest>(ct);
        if (problem is not null)
            return problem;
        var errors = new List<(string, string, string)>();
        if (!PartnerId.TryParse(body!.Id, out var id))
            errors.Add(("id", "invalid-partner-id", "Expected '<territory>-<slug>', the account the partner sends under."));
        if (!ClosedList<PartnerRole>.TryParse(body.Role, out var role))
            errors.Add(("role", ReasonCodes.InvalidField, $"One of: {string.Join(", ", ClosedList<PartnerRole>.Words.Order())}."));
        NameErrors(body.Name, errors);
        if (errors.Count > 0)
            return Problems.Validation("The partner was not registered.", errors);
        if (!user.ActsFor(id.Territory))
            return Problems.Forbidden();
        // A partner is an agency registered in its role: what it is sent is released to that account only.
        await AccountErrorsAsync(db, "id", id.Value, DirectoryRoles.PrincipalRoleOf(role), id.Territory, errors, ct);
        if (errors.Count > 0)
            return Problems.Validation("The partner was not registered.", errors);

        var existing = await db.Partners.SingleOrDefaultAsync(p => p.Id == id.Value, ct);
        if (existing is { RetiredAt: null })
            return Conflict(DirectoryReasons.AlreadyRegistered, "An active partner is registered under this id.");
        var now = clock.GetUtcNow();
        var partner =
            existing
            ?? new RegisteredPartner
            {
                Id = id.Value,
                Name = "",
                RegisteredBy = "",
            };
        partner.Territory = id.Territory;
        partner.Role = role;
        partner.Name = body.Name!.Trim();
        partner.RegisteredAt = now;
        partner.RegisteredBy = By(user);
        partner.RetiredAt = null;
        partner.RetiredBy = null;
        if (existing is null)
            db.Partners.Add(partner);
        audit.Stage(
            Change(
                user,
                AuditKind.DirectoryRegistered,
                $"partner:{partner.Id}",
                ClosedList<PartnerRole>.WordOf(role),
                [partner.Territory.Value]
            )
        );
        db.PublishOnCommit(Changed(partner, user, now));
        if (!await SavedAsync(audit, ct))
            return Conflict(DirectoryReasons.AlreadyRegistered, "A partner was registered under this id meanwhile.");
        return Results.Created($"/directory/partners/{partner.Id}", PartnerView.Of(partner));
    }

    private static async Task<IResult> RetirePartnerAsync(
        string id,
        ClaimsPrincipal user,
        GatewayDbContext db,
        AuditLog audit,
        TimeProvider clock,
        CancellationToken ct
    )
    {
        if (!PartnerId.TryParse(id, out _))
            return NotFound();
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (partner is null)
            return NotFound();
        if (!user.ActsFor(partner.Territory))
            return Problems.Forbidden();
        if (partner.RetiredAt is not null)
            return Conflict(DirectoryReasons.AlreadyRetired, "This partner is already retired.");
        RetirePartner(db, audit, user, partner, clock.GetUtcNow());
        await audit.SaveAsync(ct);
        return Results.Ok(PartnerView.Of(partner));
    }

    /// <summary>
    /// What the broker definitions generator reads (<c>generate-definitions.py --directory</c>): the active
    /// agencies of the caller's territories, with the jurisdictions and partners, and no key or secret.
    /// </summary>
    private static async Task<IResult> ExportAsync(ClaimsPrincipal user, GatewayDbContext db, CancellationToken ct)
    {
        var mine = user.TerritoriesOf();
        var agencies = (await db.Agencies.AsNoTracking().Where(a => a.RetiredAt == null).OrderBy(a => a.Account).ToListAsync(ct))
            .Where(a => a.TerritorySet.Overlaps(mine))
            .ToList();
        var jurisdictions = (await db.Jurisdictions.AsNoTracking().Where(j => j.RetiredAt == null).OrderBy(j => j.Id).ToListAsync(ct))
            .Where(j => mine.Contains(j.Territory))
            .ToList();
        var partners = (await db.Partners.AsNoTracking().Where(p => p.RetiredAt == null).OrderBy(p => p.Id).ToListAsync(ct))
            .Where(p => mine.Contains(p.Territory))
            .ToList();
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

    /// <summary>Two secretariats registering the same id at once: the second insert fails on the key, answered as a conflict.</summary>
    private static async Task<bool> SavedAsync(AuditLog audit, CancellationToken ct)
    {
        try
        {
            await audit.SaveAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    private static void RetirePartner(
        GatewayDbContext db,
        AuditLog audit,
        ClaimsPrincipal user,
        RegisteredPartner partner,
        DateTimeOffset now
    )
    {
        partner.RetiredAt = now;
        partner.RetiredBy = By(user);
        audit.Stage(
            Change(
                user,
                AuditKind.DirectoryRetired,
                $"partner:{partner.Id}",
                ClosedList<PartnerRole>.WordOf(partner.Role),
                [partner.Territory.Value]
            )
        );
        db.PublishOnCommit(Changed(partner, user, now));
    }

    private static PartnerDirectoryChanged Changed(RegisteredPartner partner, ClaimsPrincipal user, DateTimeOffset now) =>
        new()
        {
            Partner = partner.Id,
            Territory = partner.Territory,
            Role = partner.Role,
            Name = partner.Name,
            Retired = partner.RetiredAt is not null,
            ChangedAt = now,
            ChangedBy = By(user),
        };

    private static async Task AccountErrorsAsync(
        GatewayDbContext db,
        string field,
        string? account,
        PrincipalRole role,
        TerritoryCode territory,
        List<(string, string, string)> errors,
        CancellationToken ct
    )
    {
        var agency = AgencyId.IsValid(account)
            ? await db.Agencies.AsNoTracking().SingleOrDefaultAsync(a => a.Account == account, ct)
            : null;
        if (agency is not { Retired: false } || agency.Role != role || !agency.TerritorySet.Contains(territory))
            errors.Add(
                (
                    field,
                    DirectoryReasons.UnknownAgency,
                    $"Name an active agency of territory {territory.Value} registered as {CoordinationClaims.Word(role)}"
                        + " (POST /directory/agencies)."
                )
            );
    }

    private static void NameErrors(string? name, List<(string, string, string)> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
            errors.Add(("name", ReasonCodes.MissingField, "A name is required."));
        else if (name.Trim().Length > DirectoryLimits.Name)
            errors.Add(("name", ReasonCodes.InvalidField, $"At most {DirectoryLimits.Name} characters."));
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

    private static AuditRecord Change(
        ClaimsPrincipal user,
        AuditKind kind,
        string entry,
        string? role,
        IEnumerable<string> territories,
        params string[] more
    ) =>
        new(
            NewId.NextGuid(),
            kind,
            By(user),
            null,
            null,
            [],
            [entry, .. territories.Select(t => $"territory:{t}"), .. role is null ? Array.Empty<string>() : [$"role:{role}"], .. more],
            null,
            kind == AuditKind.DirectoryRetired ? "retired" : "registered",
            kind == AuditKind.DirectoryRetired ? "retired by the CDPD" : "registered by the CDPD"
        );

    private static IResult NotFound() =>
        Results.Problem(
            title: "No entry of the directory under this id.",
            statusCode: StatusCodes.Status404NotFound,
            type: Problems.TypeOf(DirectoryReasons.UnknownEntry),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = DirectoryReasons.UnknownEntry }
        );

    private static IResult Conflict(string reasonCode, string title) =>
        Results.Problem(
            title: title,
            statusCode: StatusCodes.Status409Conflict,
            type: Problems.TypeOf(reasonCode),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = reasonCode }
        );
}
