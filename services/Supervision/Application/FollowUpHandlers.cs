using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Application;

/// <summary>
/// A control's outcome from a partner, forwarded by the gateway (which names the partner from the
/// account it sent under). The case checks the partner is assigned again: the gateway's copy of the
/// assignments may lag, this one may not. The partners learn the outcomes their role is granted.
/// </summary>
public sealed class RecordControlHandler(PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionDbContext db, RecordControl record, ConsumeContext cause)
    {
        var open = await db.OpenCaseOrRefuseAsync(record.Person, cause.CancellationToken);
        db.PublishOnCommit(open.RecordControl(record, clock.GetUtcNow()), cause);
        information.InformPartners(db, open, CaseFile.OnFollowUp, cause);
    }
}

/// <summary>An incident reported by an assigned partner; the partners learn the incidents their role is granted.</summary>
public sealed class ReportIncidentHandler(PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionDbContext db, ReportIncident report, ConsumeContext cause)
    {
        var open = await db.OpenCaseOrRefuseAsync(report.Person, cause.CancellationToken);
        db.PublishOnCommit(open.ReportIncident(report, clock.GetUtcNow()), cause);
        information.InformPartners(db, open, CaseFile.OnFollowUp, cause);
    }
}

/// <summary>
/// A partner's report on a support action it carries, forwarded by the gateway; the case checks the
/// action is that partner's.
/// </summary>
public sealed class ReportSupportProgressHandler(PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionDbContext db, ReportSupportProgress report, ConsumeContext cause)
    {
        var open = await db.OpenCaseOrRefuseAsync(report.Person, cause.CancellationToken);
        db.PublishOnCommit(open.ReportSupportProgress(report, clock.GetUtcNow()), cause);
        information.InformPartners(db, open, CaseFile.OnSupportChange, cause);
    }
}
