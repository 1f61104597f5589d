using Coordination.Contracts.Values;

namespace Coordination.ServiceDefaults.Security;

/// <summary>
/// A sentence-enforcement jurisdiction (a tribunal judiciaire's JAP, with the SPIP of its ressort):
/// where court reports go, and the only place they go. Registered in the gateway's directory (ADR 16).
/// </summary>
public sealed record Jurisdiction(string Id, string Name, TerritoryCode Territory, string SentenceEnforcementCourt, string ProbationService)
{
    /// <summary>The agencies a report of this jurisdiction is addressed to, and the only ones allowed to receive it.</summary>
    public IReadOnlyList<string> ReportRecipients => [SentenceEnforcementCourt, ProbationService];
}
