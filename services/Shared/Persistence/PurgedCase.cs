using System.Diagnostics.Metrics;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// What a service keeps of a purged supervision case: its id and when, nothing about the person.
/// Facts travel on their own queues and may come after the purge; one about a case found here is
/// dropped, so that a late fact cannot bring purged data back. Kept for good: a random id names nobody.
/// </summary>
public sealed class PurgedCase
{
    public Guid CaseId { get; init; }
    public DateTimeOffset PurgedAt { get; init; }
}

public static partial class LateFacts
{
    public const string DroppedCounterName = "coordination.facts.dropped_after_purge";

    private static readonly Counter<long> Dropped = CoordinationTelemetry.Meter.CreateCounter<long>(
        DroppedCounterName,
        description: "Facts about a case already purged, dropped rather than applied"
    );

    /// <summary>Counts and logs a dropped fact, by ids only.</summary>
    public static void Drop(ILogger logger, string service, string factType, Guid caseId, Guid? messageId)
    {
        Dropped.Add(
            1,
            new KeyValuePair<string, object?>("coordination.service", service),
            new KeyValuePair<string, object?>("coordination.fact", factType)
        );
        LogDropped(logger, factType, caseId, messageId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{FactType} {MessageId} about purged case {CaseId} dropped")]
    private static partial void LogDropped(ILogger logger, string factType, Guid caseId, Guid? messageId);
}
