using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Vault;

public sealed record PersonIdentity(string LastName, string FirstNames, DateOnly BirthDate, string? BirthPlace);

public sealed record PersonContact(string? Address, string? Phone);

/// <summary>Everything the judicial authority said about a designated person: kept only in the vault, sealed.</summary>
public sealed record DesignationDetails(
    PersonIdentity Identity,
    PersonContact? Contact,
    string SentenceEnforcementJurisdiction,
    DateOnly ReleaseDate,
    DateOnly MeasureEndsOn,
    IReadOnlyList<DesignationGround> Grounds);

/// <summary>
/// One designated person: a random <see cref="PersonRef"/>, a keyed digest of the identity (so that a
/// second designation of the same person finds the same reference without anyone reading a name),
/// and the designation details sealed for the vault's own key.
/// </summary>
public sealed class VaultEntry
{
    public PersonRef Person { get; init; }
    public TerritoryCode Territory { get; init; }
    public required byte[] IdentityDigest { get; init; }
    public Guid SealId { get; set; }
    public required string SealedDetails { get; set; }
    public required string DesignatedBy { get; set; }
    public DateTimeOffset DesignatedAt { get; set; }
}

/// <summary>Architecture rule 2: identities live here, encrypted at rest; services see person references only.</summary>
public sealed class IdentityVault(GatewayDbContext db, SealingKeyStore keys)
{
    public const string Owner = "gateway-vault";
    private const string Purpose = "identity-vault";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stages the entry (the caller commits it with its decision) and returns the person's reference.</summary>
    public async Task<PersonRef> PseudonymiseAsync(TerritoryCode territory, DesignationDetails details, string designatedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var digest = keys.Digest(Owner, $"{territory.Value}|{Normalise(details.Identity.LastName)}|{Normalise(details.Identity.FirstNames)}|{details.Identity.BirthDate:yyyy-MM-dd}");
        var sealId = Guid.NewGuid();
        var sealedDetails = JsonSerializer.Serialize(PayloadSealer.SealJson(details, keys.CurrentKeyOf(Owner), Purpose, sealId), Json);

        var existing = await db.Vault.SingleOrDefaultAsync(v => v.Territory == territory && v.IdentityDigest == digest, cancellationToken);
        if (existing is not null)
        {
            // The same person again: the same reference, so that supervision sees the conflict.
            existing.SealId = sealId;
            existing.SealedDetails = sealedDetails;
            existing.DesignatedBy = designatedBy;
            existing.DesignatedAt = now;
            return existing.Person;
        }
        var entry = new VaultEntry
        {
            Person = PersonRef.New(territory),
            Territory = territory,
            IdentityDigest = digest,
            SealId = sealId,
            SealedDetails = sealedDetails,
            DesignatedBy = designatedBy,
            DesignatedAt = now,
        };
        db.Vault.Add(entry);
        return entry.Person;
    }

    /// <summary>Re-attaches the details, for a release the sharing rules allow.</summary>
    public async Task<DesignationDetails?> OpenAsync(PersonRef person, CancellationToken cancellationToken)
    {
        var entry = await db.Vault.AsNoTracking().SingleOrDefaultAsync(v => v.Person == person, cancellationToken);
        return entry is null ? null : Open(entry);
    }

    /// <summary>
    /// Re-attaches the details for a release, and holds the entry until the release commits: a purge
    /// committed in between makes the release fail and be retried, so no delivery carries an identity
    /// the vault has already forgotten.
    /// </summary>
    public async Task<DesignationDetails?> OpenForReleaseAsync(PersonRef person, CancellationToken cancellationToken)
    {
        var entry = await db.Vault.SingleOrDefaultAsync(v => v.Person == person, cancellationToken);
        if (entry is null) return null;
        db.Entry(entry).Property(v => v.SealId).IsModified = true;
        return Open(entry);
    }

    private DesignationDetails Open(VaultEntry entry)
    {
        using var ring = keys.RingFor(Owner);
        return PayloadSealer.OpenJson<DesignationDetails>(JsonSerializer.Deserialize<SealedPayload>(entry.SealedDetails, Json)!, ring, Purpose, entry.SealId);
    }

    public Task<bool> KnowsAsync(PersonRef person, TerritoryCode territory, CancellationToken cancellationToken) =>
        db.Vault.AnyAsync(v => v.Person == person && v.Territory == territory, cancellationToken);

    private static string Normalise(string name)
    {
        var decomposed = name.Trim().ToUpperInvariant().Normalize(NormalizationForm.FormD);
        var kept = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && !char.IsWhiteSpace(c) && c != '-' && c != '\'');
        return new string(kept.ToArray());
    }
}
