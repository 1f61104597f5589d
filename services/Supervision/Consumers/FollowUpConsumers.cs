using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Consumers;

/// <summary>
/// A control's outcome from a partner, forwarded by the gateway (which names the partner from the
/// account it sent under). The case checks the partner is assigned again: the gateway's copy of the
/// assignments may lag, this one may not.
/// </summary>
public sealed class RecordControlConsumer(SupervisionDbContext db, TimeProvider clock) : IdempotentConsumer<RecordControl, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<RecordControl> context)
    {
        var open = await Db.OpenCaseOfAsync(context.Message.Person, context.CancellationToken);
        try
        {
            Db.PublishOnCommit(open.RecordControl(context.Message, clock.GetUtcNow()), context);
        }
        catch (CaseRuleViolation violation)
        {
            throw new MessageRejectedException(violation.ReasonCode, violation.Message);
        }
    }
}

public sealed class ReportIncidentConsumer(SupervisionDbContext db, TimeProvider clock) : IdempotentConsumer<ReportIncident, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<ReportIncident> context)
    {
        var open = await Db.OpenCaseOfAsync(context.Message.Person, context.CancellationToken);
        try
        {
            Db.PublishOnCommit(open.ReportIncident(context.Message, clock.GetUtcNow()), context);
        }
        catch (CaseRuleViolation violation)
        {
            throw new MessageRejectedException(violation.ReasonCode, violation.Message);
        }
    }
}

internal static class CaseQueries
{
    public static IQueryable<SupervisionCase> WithFollowUp(this IQueryable<SupervisionCase> cases) =>
        cases.Include(c => c.Assignments).Include(c => c.Controls).Include(c => c.Incidents).Include(c => c.ConductReports).AsSplitQuery();

    public static async Task<SupervisionCase> OpenCaseOfAsync(this SupervisionDbContext db, Contracts.Values.PersonRef person, CancellationToken cancellationToken) =>
        await db.Cases.WithFollowUp().SingleOrDefaultAsync(c => c.Person == person && c.Status == CaseStatus.Open, cancellationToken)
        ?? throw new MessageRejectedException("no-open-case", "no open case for this person.");
}
