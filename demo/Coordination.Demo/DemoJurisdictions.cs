using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Demo;

/// <summary>
/// The demo's jurisdictions, one per demo territory, matching the JAP and SPIP accounts of
/// <see cref="DemoPrincipals"/>: the demo seeding registers them in the gateway's directory through its API
/// (<see cref="DemoSeed"/>), where a deployment registers its own (ADR 16). No service reads them:
/// CourtReporting schedules reports for the jurisdictions the directory publishes (<c>JurisdictionDirectoryChanged</c>).
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
