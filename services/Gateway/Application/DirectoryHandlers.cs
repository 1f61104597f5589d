using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

// The directory as data (ADR 16): the CDPD secretariat registers and retires agencies, jurisdictions and
// partners of its territories. Every change is audited in the chain in the same commit; a partner change
// is published to Supervision in that commit too (outbox), and a jurisdiction change to CourtReporting.
// A change the directory's state forbids is a RuleViolation.Conflict; the caller checked the fields and
// the secretariat's territories before.

/// <summary>The directory as it stands, untracked: what the secretariat lists and what the broker definitions are made from.</summary>
public sealed class DirectoryQueries(GatewayDbContext db)
{
    public Task<List<RegisteredAgency>> AgenciesAsync(CancellationToken ct) =>
        db.Agencies.AsNoTracking().OrderBy(a => a.Account).ToListAsync(ct);

    public Task<List<RegisteredJurisdiction>> JurisdictionsAsync(CancellationToken ct) =>
        db.Jurisdictions.AsNoTracking().OrderBy(j => j.Id).ToListAsync(ct);

    public Task<List<RegisteredPartner>> PartnersAsync(CancellationToken ct) =>
        db.Partners.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);

    public Task<List<RegisteredAgency>> ActiveAgenciesAsync(CancellationToken ct) =>
        db.Agencies.AsNoTracking().Where(a => a.RetiredAt == null).OrderBy(a => a.Account).ToListAsync(ct);

    public Task<List<RegisteredJurisdiction>> ActiveJurisdictionsAsync(CancellationToken ct) =>
        db.Jurisdictions.AsNoTracking().Where(j => j.RetiredAt == null).OrderBy(j => j.Id).ToListAsync(ct);

    public Task<List<RegisteredPartner>> ActivePartnersAsync(CancellationToken ct) =>
        db.Partners.AsNoTracking().Where(p => p.RetiredAt == null).OrderBy(p => p.Id).ToListAsync(ct);

    public Task<RegisteredAgency?> FindAgencyAsync(string account, CancellationToken ct) =>
        db.Agencies.AsNoTracking().SingleOrDefaultAsync(a => a.Account == account, ct);

    public Task<RegisteredJurisdiction?> FindJurisdictionAsync(string id, CancellationToken ct) =>
        db.Jurisdictions.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);

    public Task<RegisteredPartner?> FindPartnerAsync(string id, CancellationToken ct) =>
        db.Partners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);

    /// <summary>
    /// The broken rule when <paramref name="account"/> is no active agency of <paramref name="territory"/> in
    /// <paramref name="role"/>: a court report, or a partner's deliveries, go to that account only.
    /// </summary>
    public async Task<RuleViolation?> UnknownAgencyAsync(
        string field,
        string? account,
        PrincipalRole role,
        TerritoryCode territory,
        CancellationToken ct
    )
    {
        var agency = AgencyId.IsValid(account)
            ? await db.Agencies.AsNoTracking().SingleOrDefaultAsync(a => a.Account == account, ct)
            : null;
        return agency is not { Retired: false } || agency.Role != role || !agency.TerritorySet.Contains(territory)
            ? new RuleViolation(
                DirectoryReasons.UnknownAgency,
                field,
                $"Name an active agency of territory {territory.Value} registered as {CoordinationClaims.Word(role)}"
                    + " (POST /directory/agencies)."
            )
            : null;
    }
}

/// <summary>An agency registered, or a retired account coming back under the same row (its history is in the audit).</summary>
public sealed class RegisterAgencyHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredAgency> RegisterAsync(
        AgencyId account,
        PrincipalRole role,
        IReadOnlyCollection<string> territories,
        string name,
        string by,
        CancellationToken ct
    )
    {
        var existing = await db.Agencies.SingleOrDefaultAsync(a => a.Account == account.Value, ct);
        if (existing is { Retired: false })
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "An active agency is registered under this account.");
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
        agency.Name = name;
        agency.RegisteredAt = now;
        agency.RegisteredBy = by;
        agency.RetiredAt = null;
        agency.RetiredBy = null;
        if (existing is null)
            db.Agencies.Add(agency);
        audit.Stage(
            DirectoryAudit.Change(by, AuditKind.DirectoryRegistered, $"agency:{agency.Account}", CoordinationClaims.Word(role), territories)
        );
        if (!await DirectoryAudit.SavedAsync(audit, ct))
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "An agency was registered under this account meanwhile.");
        return agency;
    }
}

/// <summary>An agency retired: nothing is released to its account again; were it a partner, it follows no case from now on.</summary>
public sealed class RetireAgencyHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredAgency?> RetireAsync(string account, string by, CancellationToken ct)
    {
        var agency = await db.Agencies.SingleOrDefaultAsync(a => a.Account == account, ct);
        if (agency is null)
            return null;
        if (agency.Retired)
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRetired, "This agency is already retired.");
        var now = clock.GetUtcNow();
        agency.RetiredAt = now;
        agency.RetiredBy = by;
        audit.Stage(
            DirectoryAudit.Change(
                by,
                AuditKind.DirectoryRetired,
                $"agency:{agency.Account}",
                CoordinationClaims.Word(agency.Role),
                agency.Territories.Split(',')
            )
        );
        // The agency was also a partner: it follows no case from now on, in Supervision as here.
        if (await db.Partners.SingleOrDefaultAsync(p => p.Id == account && p.RetiredAt == null, ct) is { } partner)
            DirectoryAudit.RetirePartner(db, audit, by, partner, now);
        await audit.SaveAsync(ct);
        return agency;
    }
}

/// <summary>
/// A sentence-enforcement jurisdiction registered: CourtReporting schedules its reports from the change published in the same commit.
/// </summary>
public sealed class RegisterJurisdictionHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredJurisdiction> RegisterAsync(
        string id,
        string name,
        TerritoryCode territory,
        string sentenceEnforcementCourt,
        string probationService,
        string by,
        CancellationToken ct
    )
    {
        var existing = await db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (existing is { RetiredAt: null })
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "An active jurisdiction is registered under this id.");
        var jurisdiction =
            existing
            ?? new RegisteredJurisdiction
            {
                Id = id,
                Name = "",
                SentenceEnforcementCourt = "",
                ProbationService = "",
                RegisteredBy = "",
            };
        jurisdiction.Name = name;
        jurisdiction.Territory = territory;
        jurisdiction.SentenceEnforcementCourt = sentenceEnforcementCourt;
        jurisdiction.ProbationService = probationService;
        jurisdiction.RegisteredAt = clock.GetUtcNow();
        jurisdiction.RegisteredBy = by;
        jurisdiction.RetiredAt = null;
        jurisdiction.RetiredBy = null;
        if (existing is null)
            db.Jurisdictions.Add(jurisdiction);
        // CourtReporting schedules the jurisdiction's reports from this, published in the registration's commit.
        db.PublishOnCommit(jurisdiction.Changed(jurisdiction.RegisteredAt, jurisdiction.RegisteredBy));
        audit.Stage(
            DirectoryAudit.Change(
                by,
                AuditKind.DirectoryRegistered,
                $"jurisdiction:{jurisdiction.Id}",
                null,
                [territory.Value],
                $"agency:{jurisdiction.SentenceEnforcementCourt}",
                $"agency:{jurisdiction.ProbationService}"
            )
        );
        if (!await DirectoryAudit.SavedAsync(audit, ct))
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "A jurisdiction was registered under this id meanwhile.");
        return jurisdiction;
    }
}

/// <summary>A jurisdiction retired: CourtReporting drops its pending deadline, no report is issued for it from now on.</summary>
public sealed class RetireJurisdictionHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredJurisdiction?> RetireAsync(string id, string by, CancellationToken ct)
    {
        var jurisdiction = await db.Jurisdictions.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (jurisdiction is null)
            return null;
        if (jurisdiction.RetiredAt is not null)
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRetired, "This jurisdiction is already retired.");
        jurisdiction.RetiredAt = clock.GetUtcNow();
        jurisdiction.RetiredBy = by;
        // CourtReporting drops the jurisdiction's pending deadline: no report is issued for it from now on.
        db.PublishOnCommit(jurisdiction.Changed(jurisdiction.RetiredAt.Value, jurisdiction.RetiredBy));
        audit.Stage(
            DirectoryAudit.Change(by, AuditKind.DirectoryRetired, $"jurisdiction:{jurisdiction.Id}", null, [jurisdiction.Territory.Value])
        );
        await audit.SaveAsync(ct);
        return jurisdiction;
    }
}

/// <summary>A partner registered: an agency in its role, that Supervision may then assign to a case of its territory.</summary>
public sealed class RegisterPartnerHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredPartner> RegisterAsync(PartnerId id, PartnerRole role, string name, string by, CancellationToken ct)
    {
        var existing = await db.Partners.SingleOrDefaultAsync(p => p.Id == id.Value, ct);
        if (existing is { RetiredAt: null })
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "An active partner is registered under this id.");
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
        partner.Name = name;
        partner.RegisteredAt = now;
        partner.RegisteredBy = by;
        partner.RetiredAt = null;
        partner.RetiredBy = null;
        if (existing is null)
            db.Partners.Add(partner);
        audit.Stage(
            DirectoryAudit.Change(
                by,
                AuditKind.DirectoryRegistered,
                $"partner:{partner.Id}",
                ClosedList<PartnerRole>.WordOf(role),
                [partner.Territory.Value]
            )
        );
        db.PublishOnCommit(DirectoryAudit.Changed(partner, by, now));
        if (!await DirectoryAudit.SavedAsync(audit, ct))
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRegistered, "A partner was registered under this id meanwhile.");
        return partner;
    }
}

/// <summary>A partner retired: it follows no case from now on, in Supervision as here.</summary>
public sealed class RetirePartnerHandler(GatewayDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<RegisteredPartner?> RetireAsync(string id, string by, CancellationToken ct)
    {
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (partner is null)
            return null;
        if (partner.RetiredAt is not null)
            throw RuleViolation.Conflict(DirectoryReasons.AlreadyRetired, "This partner is already retired.");
        DirectoryAudit.RetirePartner(db, audit, by, partner, clock.GetUtcNow());
        await audit.SaveAsync(ct);
        return partner;
    }
}

/// <summary>What every directory change writes: its audit record, and a partner's change for Supervision.</summary>
internal static class DirectoryAudit
{
    /// <summary>Two secretariats registering the same id at once: the second insert fails on the key, answered as a conflict.</summary>
    public static async Task<bool> SavedAsync(AuditLog audit, CancellationToken ct)
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

    public static void RetirePartner(GatewayDbContext db, AuditLog audit, string by, RegisteredPartner partner, DateTimeOffset now)
    {
        partner.RetiredAt = now;
        partner.RetiredBy = by;
        audit.Stage(
            Change(
                by,
                AuditKind.DirectoryRetired,
                $"partner:{partner.Id}",
                ClosedList<PartnerRole>.WordOf(partner.Role),
                [partner.Territory.Value]
            )
        );
        db.PublishOnCommit(Changed(partner, by, now));
    }

    public static PartnerDirectoryChanged Changed(RegisteredPartner partner, string by, DateTimeOffset now) =>
        new()
        {
            Partner = partner.Id,
            Territory = partner.Territory,
            Role = partner.Role,
            Name = partner.Name,
            Retired = partner.RetiredAt is not null,
            ChangedAt = now,
            ChangedBy = by,
        };

    public static AuditRecord Change(
        string by,
        AuditKind kind,
        string entry,
        string? role,
        IEnumerable<string> territories,
        params string[] more
    ) =>
        new(
            NewId.NextGuid(),
            kind,
            by,
            null,
            null,
            [],
            [entry, .. territories.Select(t => $"territory:{t}"), .. role is null ? Array.Empty<string>() : [$"role:{role}"], .. more],
            null,
            kind == AuditKind.DirectoryRetired ? "retired" : "registered",
            kind == AuditKind.DirectoryRetired ? "retired by the CDPD" : "registered by the CDPD"
        );
}
