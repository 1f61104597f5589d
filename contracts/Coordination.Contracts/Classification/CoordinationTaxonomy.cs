using System.Reflection;
using Microsoft.Extensions.Compliance.Classification;

namespace Coordination.Contracts.Classification;

/// <summary>
/// The three levels of the domain brief, expressed in Microsoft.Extensions.Compliance's data
/// classification so that log redaction and payload sealing read the same attributes.
/// </summary>
public static class CoordinationTaxonomy
{
    public const string Name = "Coordination";

    /// <summary>Anyone may see it (codes, dates, counts).</summary>
    public static DataClassification Public { get; } = new(Name, nameof(Public));

    /// <summary>Members and registered partners of the territory.</summary>
    public static DataClassification Internal { get; } = new(Name, nameof(Internal));

    /// <summary>Article II: only recipients the sharing rules name, for a named purpose. Travels sealed.</summary>
    public static DataClassification Confidential { get; } = new(Name, nameof(Confidential));

    public static DataClassification? Of(MemberInfo member) =>
        member.GetCustomAttribute<DataClassificationAttribute>(inherit: true)?.Classification;
}

[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class PublicAttribute() : DataClassificationAttribute(CoordinationTaxonomy.Public);

[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class InternalAttribute() : DataClassificationAttribute(CoordinationTaxonomy.Internal);

/// <summary>
/// Personal or otherwise confidential data. On a message property the type must be
/// <see cref="Gateway.SealedPayload"/>: confidential values cross the broker only sealed.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class ConfidentialAttribute() : DataClassificationAttribute(CoordinationTaxonomy.Confidential);

/// <summary>
/// A message that names a person only to make services forget them: its outbox row is deleted as
/// soon as the broker confirmed it, instead of being kept like other sent rows.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ForgottenOnceSentAttribute : Attribute;
