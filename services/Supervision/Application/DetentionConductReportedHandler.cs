using System.Text.Json;
using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Application;

/// <summary>A conduct report (law 2017-258) joins the open case; it must open with this service's key, and stays sealed at rest.</summary>
public sealed class DetentionConductReportedHandler(SealingKeyStore keys, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionDbContext db, DetentionConductReported reported, ConsumeContext cause)
    {
        // Not a rejection: the designation may still be on its way; bounded retries, then the error queue.
        var open =
            await db.OpenCaseOfAsync(reported.Person, cause.CancellationToken)
            ?? throw new InvalidOperationException("no-open-case: no open case for this person yet.");
        try
        {
            using var ring = keys.RingFor(DesignatePersonHandler.KeyOwner);
            PayloadSealer.Open(reported.Report, ring, DesignatePersonHandler.Purpose, cause.MessageId!.Value);
        }
        catch (SealingException e)
        {
            throw new RuleViolation(e.ReasonCode, "report", "the conduct report cannot be opened by this service.");
        }
        open.Receive(
            new ConductReport
            {
                Id = NewId.NextGuid(),
                MessageId = cause.MessageId!.Value,
                ReceivedAt = clock.GetUtcNow(),
                SealedReport = JsonSerializer.Serialize(reported.Report),
            }
        );
    }
}
