using System.Text.Json;
using System.Text.Json.Serialization;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;

namespace Coordination.Gateway.Domain;

/// <summary>To whom a requester's duty lets it send.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<RecipientScope>))]
public enum RecipientScope
{
    /// <summary>3°: the partners the gateway's own assignment table shows on the person's open case.</summary>
    PartnersAssignedToTheCase = 1,

    /// <summary>4°: the JAP and the SPIP of the report's jurisdiction.</summary>
    CourtsOfTheJurisdiction,

    /// <summary>2°: the prosecutor's office of the territory.</summary>
    ProsecutorOfTheTerritory,

    /// <summary>3°: the agency the vault records as having designated the person (its receipts).</summary>
    DesignatingAuthorityOfTheCase,
}

/// <summary>About whom a requester's duty lets it ask.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PersonScope>))]
public enum PersonScope
{
    /// <summary>Aggregate: no person at all.</summary>
    None = 1,

    /// <summary>Exactly one designated person of the territory (<c>Person</c>), no list.</summary>
    ThePersonOfTheCase,

    /// <summary>A list (<c>People</c>) of persons whose case belongs to the request's jurisdiction.</summary>
    PersonsOfTheJurisdiction,
}

/// <summary>
/// One line of the release policy: a requesting service may ask for one purpose, to these recipients,
/// about these persons, and, when <see cref="Categories"/> is set, only for those categories.
/// </summary>
public sealed record ServiceGrant(
    string Requester,
    SharingPurpose Purpose,
    RecipientScope Recipients,
    PersonScope Persons,
    IReadOnlyList<DataCategory>? Categories = null
);

/// <summary>
/// What each platform service may ask the gateway to release, beside the sharing rules: the rules
/// say what a recipient may receive; this says what a service's duty needs to ask for. Both must
/// allow a release, and anything not listed is denied.
/// </summary>
public sealed class ReleasePolicy(IEnumerable<ServiceGrant> grants)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public IReadOnlyList<ServiceGrant> Grants { get; } = grants.ToList();

    /// <summary>The lines of a requester for a purpose, in the file's order: one of them must allow the release.</summary>
    public IReadOnlyList<ServiceGrant> Find(string requester, SharingPurpose purpose) =>
        Grants.Where(g => g.Requester == requester && g.Purpose == purpose).ToList();

    /// <summary>The policy shipped with the gateway (<c>Domain/release-policy.json</c>), or a deployment's own file.</summary>
    public static ReleasePolicy Load(string? path)
    {
        using var stream = path is null
            ? typeof(ReleasePolicy).Assembly.GetManifestResourceStream("Coordination.Gateway.Release.release-policy.json")
                ?? throw new InvalidOperationException("The gateway was built without its release policy.")
            : File.OpenRead(path);
        var document =
            JsonSerializer.Deserialize<PolicyDocument>(stream, Json) ?? throw new InvalidOperationException("The release policy is empty.");
        foreach (var grant in document.Grants)
        {
            // A typo must stop the gateway at start, not deny every release at run time.
            if (!ReleaseLanes.Requesters.Contains(grant.Requester))
                throw new InvalidOperationException($"The release policy names {grant.Requester}, which has no release lane.");
            if (
                !Enum.IsDefined(grant.Purpose)
                || !Enum.IsDefined(grant.Recipients)
                || !Enum.IsDefined(grant.Persons)
                || grant.Categories is { } listed && (listed.Count == 0 || !listed.All(Enum.IsDefined))
            )
                throw new InvalidOperationException($"The release policy's line for {grant.Requester} has an unknown word.");
        }
        return new ReleasePolicy(document.Grants);
    }

    private sealed record PolicyDocument(string? Comment, IReadOnlyList<ServiceGrant> Grants);
}
