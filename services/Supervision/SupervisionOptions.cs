namespace Coordination.Supervision;

/// <summary>Bound from the <c>Supervision</c> configuration section.</summary>
public sealed class SupervisionOptions
{
    public const string Section = "Supervision";

    /// <summary>How long an ended case's personal data is kept before it is purged everywhere (F4).</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan RetentionPollInterval { get; set; } = TimeSpan.FromMinutes(1);
}
