using Coordination.Contracts.Values;

namespace Coordination.ServiceDefaults.Security;

/// <summary>
/// A sentence-enforcement jurisdiction (a tribunal judiciaire's JAP, with the SPIP of its ressort):
/// where court reports go, and the only place they go.
/// </summary>
public sealed record Jurisdiction(string Id, string Name, TerritoryCode Territory, string SentenceEnforcementCourt, string ProbationService)
{
    /// <summary>The agencies a report of this jurisdiction is addressed to, and the only ones allowed to receive it.</summary>
    public IReadOnlyList<string> ReportRecipients => [SentenceEnforcementCourt, ProbationService];
}

/// <summary>
/// The demo's jurisdictions, one per demo territory, matching the JAP and SPIP accounts of
/// <see cref="DemoPrincipals"/>: the gateway seeds them into its directory in Development only, where a
/// deployment registers its own (ADR 16). No service reads them at run time: CourtReporting schedules
/// reports for the jurisdictions the directory publishes (<c>JurisdictionDirectoryChanged</c>).
/// </summary>
public static class DemoJurisdictions
{
    public static IReadOnlyList<Jurisdiction> All { get; } =
    [
        new("tj-paris", "Tribunal judiciaire de Paris", TerritoryCode.Parse("75"), "75-jap", "75-spip"),
        new("tj-bobigny", "Tribunal judiciaire de Bobigny", TerritoryCode.Parse("93"), "93-jap", "93-spip"),
    ];

    public static Jurisdiction? Find(string? id) => All.SingleOrDefault(j => j.Id == id);
}
