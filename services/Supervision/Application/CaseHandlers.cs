using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.Contracts.Values;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision.Application;

// The operators' changes to a case. Each handler is given the open case the operator may see, found by
// CaseQueries.OpenCaseAsync in the same scope: which one exists decides between 403 and the request's 400s,
// so the endpoint asks before it reads the rest. A rule the case refuses throws RuleViolation before anything is saved.

/// <summary>A partner registered in the case's territory takes a role in the follow-up, and is told what its role may know.</summary>
public sealed class AssignPartnerHandler(SupervisionDbContext db, PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionCase open, Partner partner, PartnerRole role, CancellationToken cancellationToken)
    {
        db.PublishOnCommit(open.Assign(partner, role, clock.GetUtcNow()));
        information.InformAssigned(db, open, partner.Id);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>
/// A partner is taken off the case; the partners who remain learn of the actions it abandons, the one
/// taken off learns nothing more.
/// </summary>
public sealed class UnassignPartnerHandler(SupervisionDbContext db, PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(SupervisionCase open, PartnerId partner, string by, CancellationToken cancellationToken)
    {
        var (unassigned, abandoned) = open.Unassign(partner, by, clock.GetUtcNow());
        db.PublishOnCommit(unassigned);
        foreach (var progressed in abandoned)
            db.PublishOnCommit(progressed);
        if (abandoned.Count > 0)
            information.InformPartners(db, open, CaseFile.OnSupportChange);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>A control is planned for an assigned partner; the partners learn the plan.</summary>
public sealed class ScheduleControlHandler(SupervisionDbContext db, PartnerInformation information)
{
    public async Task HandleAsync(
        SupervisionCase open,
        Guid? controlId,
        PartnerId partner,
        DateOnly scheduledFor,
        CancellationToken cancellationToken
    )
    {
        db.PublishOnCommit(open.ScheduleControl(controlId ?? NewId.NextGuid(), partner, scheduledFor));
        information.InformPartners(db, open, CaseFile.OnPlanChange);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>A support action is planned for one of the case's partners; the partners learn the actions their role is granted.</summary>
public sealed class PlanSupportActionHandler(SupervisionDbContext db, PartnerInformation information, TimeProvider clock)
{
    public async Task HandleAsync(
        SupervisionCase open,
        Guid? actionId,
        SupportActionKind kind,
        PartnerId partner,
        DateOnly plannedOn,
        CancellationToken cancellationToken
    )
    {
        db.PublishOnCommit(open.PlanSupportAction(actionId ?? NewId.NextGuid(), kind, partner, plannedOn, clock.GetUtcNow()));
        information.InformPartners(db, open, CaseFile.OnSupportChange);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>The secretariat names the operators who alone see a sensitive case.</summary>
public sealed class RestrictCaseHandler(SupervisionDbContext db, TimeProvider clock)
{
    public async Task HandleAsync(
        SupervisionCase open,
        CaseRestrictionReason reason,
        IReadOnlyCollection<string> operators,
        string by,
        CancellationToken cancellationToken
    )
    {
        db.PublishOnCommit(open.Restrict(reason, operators, by, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>An operator ends the case (never by withdrawal, the judicial authority's own message); the authority is told.</summary>
public sealed class EndCaseHandler(
    SupervisionDbContext db,
    PartnerInformation information,
    TimeProvider clock,
    IOptions<SupervisionOptions> options
)
{
    public async Task HandleAsync(SupervisionCase open, SupervisionEndReason reason, CancellationToken cancellationToken)
    {
        db.PublishOnCommit(open.End(reason, clock.GetUtcNow(), options.Value.RetentionPeriod));
        information.NotifyAuthority(db, open, CaseNotice.CaseEnded);
        await db.SaveChangesAsync(cancellationToken);
    }
}
