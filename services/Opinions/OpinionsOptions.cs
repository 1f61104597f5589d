namespace Coordination.Opinions;

/// <summary>Bound from the <c>Opinions</c> configuration section.</summary>
public sealed class OpinionsOptions
{
    public const string Section = "Opinions";

    public TimeSpan DeadlinePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The prosecutor's office's agency account in a territory, to which the opinion is released:
    /// <c>{territory}</c> is replaced by the département code (the demo's accounts are <c>75-prosecutor</c>, <c>93-prosecutor</c>).
    /// </summary>
    public string ProsecutorAgency { get; set; } = "{territory}-prosecutor";

    public string ProsecutorOf(Contracts.Values.TerritoryCode territory) =>
        ProsecutorAgency.Replace("{territory}", territory.Value, StringComparison.Ordinal);
}
