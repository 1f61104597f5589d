using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Sealing;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Application;

/// <summary>Architecture rule 2: identities live here, encrypted at rest; services see person references only.</summary>
public sealed class IdentityVault(GatewayDbContext db, SealingKeyStore keys)
{
    public const string Owner = "gateway-vault";
    private const string Purpose = "identity-vault";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Whether a designation of this identity must be refused before anything is written: the vault
    /// knows the person and either a case of theirs is open, or their last designation is not yet
    /// answered by Supervision. The second rule closes the race where the first designation's case is
    /// not opened yet (or the door has not heard of it): it is refused too, never overwritten. Once
    /// the case has ended (and whatever the purge left), a new designation is accepted.
    /// </summary>
    public async Task<bool> IsUnderSupervisionAsync(TerritoryCode territory, PersonIdentity identity, CancellationToken cancellationToken)
    {
        var digest = IdentityDigest(territory, identity);
        var entry = await db
            .Vault.AsNoTracking()
            .SingleOrDefaultAsync(v => v.Territory == territory && v.IdentityDigest == digest, cancellationToken);
        return entry is not null
            && (entry.AwaitingCase || await db.KnownCases.AnyAsync(c => c.Person == entry.Person && c.EndedAt == null, cancellationToken));
    }

    /// <summary>
    /// Stages the entry (the caller commits it with its decision) and returns the person's reference.
    /// Only for a designation <see cref="IsUnderSupervisionAsync"/> let through: a person under
    /// supervision is never re-sealed here.
    /// </summary>
    public async Task<PersonRef> PseudonymiseAsync(
        TerritoryCode territory,
        DesignationDetails details,
        string designatedBy,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var digest = IdentityDigest(territory, details.Identity);
        var sealId = Guid.NewGuid();
        var sealedDetails = JsonSerializer.Serialize(PayloadSealer.SealJson(details, keys.CurrentKeyOf(Owner), Purpose, sealId), Json);
        var referenceDigest = details.AuthorityReference is { } reference ? AuthorityReferenceDigest(designatedBy, reference) : null;

        var existing = await db.Vault.SingleOrDefaultAsync(v => v.Territory == territory && v.IdentityDigest == digest, cancellationToken);
        if (existing is not null)
        {
            // Designated again after the case ended: the same reference, the new details.
            existing.SealId = sealId;
            existing.SealedDetails = sealedDetails;
            existing.DesignatedBy = designatedBy;
            existing.DesignatedAt = now;
            existing.AuthorityReferenceDigest = referenceDigest;
            existing.AwaitingCase = true;
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
            AuthorityReferenceDigest = referenceDigest,
            AwaitingCase = true,
        };
        db.Vault.Add(entry);
        return entry.Person;
    }

    /// <summary>
    /// The keyed digest one person gets whatever the spelling: same names and birth date, whatever
    /// the accents, case, spacing, Unicode form or invisible characters.
    /// </summary>
    public byte[] IdentityDigest(TerritoryCode territory, PersonIdentity identity) =>
        keys.Digest(
            Owner,
            $"{territory.Value}|{Normalise(identity.LastName)}|{Normalise(identity.FirstNames)}|{identity.BirthDate:yyyy-MM-dd}"
        );

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
        if (entry is null)
            return null;
        db.Entry(entry).Property(v => v.SealId).IsModified = true;
        return Open(entry);
    }

    private DesignationDetails Open(VaultEntry entry)
    {
        using var ring = keys.RingFor(Owner);
        return PayloadSealer.OpenJson<DesignationDetails>(
            JsonSerializer.Deserialize<SealedPayload>(entry.SealedDetails, Json)!,
            ring,
            Purpose,
            entry.SealId
        );
    }

    /// <summary>An authority's reference is its own: the same words from another agency are another reference.</summary>
    public byte[] AuthorityReferenceDigest(string designatedBy, string authorityReference) =>
        keys.Digest(Owner, $"authority-reference|{designatedBy}|{authorityReference}");

    /// <summary>The person <paramref name="designatedBy"/> designated in that territory under its own reference, if any.</summary>
    public async Task<PersonRef?> FindByAuthorityReferenceAsync(
        string designatedBy,
        string authorityReference,
        TerritoryCode territory,
        CancellationToken cancellationToken
    )
    {
        var digest = AuthorityReferenceDigest(designatedBy, authorityReference);
        var found = await db
            .Vault.AsNoTracking()
            .Where(v => v.Territory == territory && v.DesignatedBy == designatedBy && v.AuthorityReferenceDigest == digest)
            .OrderByDescending(v => v.DesignatedAt)
            .Select(v => (PersonRef?)v.Person)
            .FirstOrDefaultAsync(cancellationToken);
        return found;
    }

    /// <summary>Who designated the person last (the agency the receipts go to), as the door proved it.</summary>
    public async Task<string?> DesignatedByAsync(PersonRef person, CancellationToken cancellationToken) =>
        await db.Vault.AsNoTracking().Where(v => v.Person == person).Select(v => v.DesignatedBy).SingleOrDefaultAsync(cancellationToken);

    public Task<bool> KnowsAsync(PersonRef person, TerritoryCode territory, CancellationToken cancellationToken) =>
        db.Vault.AnyAsync(v => v.Person == person && v.Territory == territory, cancellationToken);

    /// <summary>
    /// Compatibility forms first (NFKC: full-width letters, ligatures such as "ﬁ"), then the
    /// characters that show nothing and would still make a second digest, then the ligatures French
    /// names spell either way (Œ/OE, Æ/AE), then accents, case, spaces, hyphens and apostrophes.
    /// </summary>
    private static string Normalise(string name)
    {
        var compatible = name.Normalize(NormalizationForm.FormKC);
        var spelled = new StringBuilder(compatible.Length);
        foreach (var c in compatible)
        {
            switch (c)
            {
                case '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD':
                    break;
                case 'Œ' or 'œ':
                    spelled.Append("OE");
                    break;
                case 'Æ' or 'æ':
                    spelled.Append("AE");
                    break;
                default:
                    spelled.Append(c);
                    break;
            }
        }
        var decomposed = spelled.ToString().Trim().ToUpperInvariant().Normalize(NormalizationForm.FormD);
        var kept = decomposed.Where(c =>
            CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && !char.IsWhiteSpace(c) && c != '-' && c != '\''
        );
        return new string(kept.ToArray());
    }
}
