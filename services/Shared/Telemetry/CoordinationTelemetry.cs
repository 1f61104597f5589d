using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coordination.ServiceDefaults.Telemetry;

/// <summary>The platform's own activity source and meter, beside MassTransit's, ASP.NET Core's and EF Core's.</summary>
public static class CoordinationTelemetry
{
    public const string Name = "Coordination";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);
}
