using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.CourtReporting.Domain;

/// <summary>
/// CourtReporting's copy of one jurisdiction of the gateway's directory (ADR 16): reports are scheduled
/// for the active ones and addressed to their JAP and SPIP. A retired one stays as a row, so that a late
/// registration older than its retirement cannot bring it back; its past reports stay readable.
/// </summary>
public sealed class ScheduledJurisdiction
{
    /// <summary>The directory's limit for a jurisdiction id (the gateway's <c>DirectoryLimits.JurisdictionId</c>).</summary>
    public const int IdMaxLength = 60;

    public required string Id { get; init; }
    public required string Name { get; set; }
    public TerritoryCode Territory { get; set; }
    public required string SentenceEnforcementCourt { get; set; }
    public required string ProbationService { get; set; }

    /// <summary>When the directory made the change this row reflects: an older change arriving late is ignored.</summary>
    public DateTimeOffset ChangedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }

    public Jurisdiction ToJurisdiction() => new(Id, Name, Territory, SentenceEnforcementCourt, ProbationService);
}
