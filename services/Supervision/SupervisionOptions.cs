namespace Coordination.Supervision;

/// <summary>Bound from the <c>Supervision</c> configuration section.</summary>
public sealed class SupervisionOptions
{
    public const string Section = "Supervision";

    /// <summary>How long an ended case's personal data is kept before it is purged everywhere (F4).</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan RetentionPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Register the demo agencies (prison, police, city, association of 75 and 93) as partners at
    /// first start. Unset: only in the Development environment, so that no production case can be
    /// assigned to an agency that was never registered.
    /// </summary>
    public bool? SeedDemoPartners { get; set; }
}
