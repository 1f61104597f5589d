using System.Text.Json;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Application.Ingress.Types;

/// <summary>
/// One agency message that passed the door's generic checks: the sender as proven, its territory, its payload (valid against its schema).
/// </summary>
public sealed record IngressMessage(AgencySource Source, TerritoryCode Territory, JsonElement Payload, Guid MessageId);

public sealed record Refusal(string ReasonCode, string Reason);

/// <summary>Where the message went inside, and what the audit entry names (references, never values).</summary>
public sealed record Forwarded(string Recipient, IReadOnlyList<string> References);

/// <summary>
/// One agency message type: who may send it, the version of its schema, the refusals its schema
/// cannot express, and the platform command it becomes. The door's generic pipeline (size,
/// envelope, duplicate, territory, sender role, schema, audit) is <see cref="IngressProcessor"/>'s.
/// </summary>
public abstract class IngressType
{
    public abstract string Name { get; }

    public virtual int SchemaVersion => 1;

    public abstract IReadOnlySet<PrincipalRole> Senders { get; }

    /// <summary>
    /// What the schema cannot say (a jurisdiction that exists, a person designated here, a case the partner follows); null to accept.
    /// </summary>
    public virtual Task<Refusal?> RefusalOfContentAsync(IngressMessage message, CancellationToken cancellationToken) =>
        Task.FromResult<Refusal?>(null);

    /// <summary>
    /// Stages the platform's own command with the decision; the forwarded message's correlation id is the agency's message id.
    /// </summary>
    public abstract Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken);

    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected static string? Text(IngressMessage message, string property) =>
        message.Payload.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// A flow the law closed: the type is known so that it is refused for what it is
/// (<c>forbidden-inbound-flow</c>), and nobody may send it, so it is never forwarded.
/// </summary>
public abstract class ClosedFlow : IngressType
{
    private static readonly IReadOnlySet<PrincipalRole> Nobody = new HashSet<PrincipalRole>();

    public sealed override IReadOnlySet<PrincipalRole> Senders => Nobody;

    public sealed override Task<Forwarded> ForwardAsync(IngressMessage message, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{Name} is a closed flow: nobody may send it.");
}

/// <summary>The sender groups of the architecture's inbound table.</summary>
public static class IngressSenders
{
    public static readonly IReadOnlySet<PrincipalRole> ProsecutorsOffice = new HashSet<PrincipalRole> { PrincipalRole.Prosecutor };

    /// <summary>R5: the persons followed are designated by the judicial authority only.</summary>
    public static readonly IReadOnlySet<PrincipalRole> JudicialAuthority = new HashSet<PrincipalRole>
    {
        PrincipalRole.Prosecutor,
        PrincipalRole.SentenceEnforcementCourt,
    };

    /// <summary>The JAP and the SPIP: informed by 4°, never a source of "useful information" (F1).</summary>
    public static readonly IReadOnlySet<PrincipalRole> JudicialFollowUp = new HashSet<PrincipalRole>
    {
        PrincipalRole.SentenceEnforcementCourt,
        PrincipalRole.ProbationService,
    };

    /// <summary>
    /// The partners of 3° that may be assigned to a case (the JAP and SPIP are informed, they do not carry out controls).
    /// </summary>
    public static readonly IReadOnlySet<PrincipalRole> Partners = new HashSet<PrincipalRole>
    {
        PrincipalRole.PenitentiaryAdministration,
        PrincipalRole.StateService,
        PrincipalRole.LocalAuthority,
        PrincipalRole.Association,
        PrincipalRole.OtherPublicOrPrivatePerson,
    };
}

/// <summary>Who the door seals forwarded confidential parts for, and for which purpose.</summary>
public static class IngressRecipients
{
    public const string Supervision = "supervision";
    public const string Opinions = "opinions";
    public const string Briefings = "briefings";
    public const string SupervisionPurpose = "community-supervision";
    public const string OpinionsPurpose = "art41-opinion";
}
