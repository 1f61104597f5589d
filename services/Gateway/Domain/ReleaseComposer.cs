using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;

namespace Coordination.Gateway.Domain;

/// <summary>What one recipient receives, before it is sealed for it, and whose identities it carries.</summary>
public sealed record ComposedRelease(JsonObject Contents, IReadOnlyList<PersonRef> Identified);

/// <summary>
/// Builds one recipient's payload from the granted categories only. Identity and contact details
/// are taken from the vault, never from the requesting service's contents, so a service cannot make
/// the gateway vouch for an identity it wrote itself.
/// </summary>
public static class ReleaseComposer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string IdentityWord = ClosedList<DataCategory>.WordOf(DataCategory.Identity);
    private static readonly string ContactWord = ClosedList<DataCategory>.WordOf(DataCategory.ContactDetails);
    public const string IdentitiesKey = "identities";

    /// <param name="identityWithheld">
    /// Persons of a list whose case is restricted with no identity grant naming the restriction: their line stays, under the reference
    /// only.
    /// </param>
    public static ComposedRelease Compose(
        IReadOnlyCollection<DataCategory> granted,
        JsonObject contents,
        PersonRef? person,
        IReadOnlyList<PersonRef> people,
        IReadOnlyDictionary<PersonRef, DesignationDetails> vault,
        IReadOnlySet<PersonRef>? identityWithheld = null
    )
    {
        var released = new JsonObject();
        foreach (var category in granted)
        {
            if (category is DataCategory.Identity or DataCategory.ContactDetails)
                continue;
            var word = ClosedList<DataCategory>.WordOf(category);
            if (contents.TryGetPropertyValue(word, out var value))
                released[word] = value?.DeepClone();
        }

        // The authority's own reference is echoed from the vault, where the designation put it, never from the service.
        var receiptWord = ClosedList<DataCategory>.WordOf(DataCategory.DesignationReceipt);
        if (granted.Contains(DataCategory.DesignationReceipt) && person is { } receiptOf && released[receiptWord] is JsonObject receipt)
        {
            receipt["personRef"] = receiptOf.Value;
            receipt["authorityReference"] = vault.TryGetValue(receiptOf, out var designation) ? designation.AuthorityReference : null;
        }

        var identified = new List<PersonRef>();
        if (person is { } one && vault.TryGetValue(one, out var details))
        {
            if (granted.Contains(DataCategory.Identity))
                released[IdentityWord] = JsonSerializer.SerializeToNode(details.Identity, Json);
            if (granted.Contains(DataCategory.ContactDetails))
                released[ContactWord] = JsonSerializer.SerializeToNode(details.Contact, Json);
            if (granted.Contains(DataCategory.Identity) || granted.Contains(DataCategory.ContactDetails))
                identified.Add(one);
        }
        if (people.Count > 0 && granted.Contains(DataCategory.Identity))
        {
            var identities = new JsonObject();
            foreach (var named in people)
                if (identityWithheld?.Contains(named) != true && vault.TryGetValue(named, out var found))
                {
                    identities[named.Value] = JsonSerializer.SerializeToNode(found.Identity, Json);
                    identified.Add(named);
                }
            released[IdentitiesKey] = identities;
        }
        return new ComposedRelease(released, identified);
    }
}
