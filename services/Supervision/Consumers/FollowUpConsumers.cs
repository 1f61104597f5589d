using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
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
public sealed class RecordControlConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock) : IdempotentConsumer<RecordControl, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<RecordControl> context)
    {
        var open = await Db.OpenCaseOfAsync(context.Message.Person, context.CancellationToken);
        Db.PublishOnCommit(CaseRules.Apply(() => open.RecordControl(context.Message, clock.GetUtcNow())), context);
        Db.InformPartners(open, keys, context);
    }
}

public sealed class ReportIncidentConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock) : IdempotentConsumer<ReportIncident, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<ReportIncident> context)
    {
        var open = await Db.OpenCaseOfAsync(context.Message.Person, context.CancellationToken);
        Db.PublishOnCommit(CaseRules.Apply(() => open.ReportIncident(context.Message, clock.GetUtcNow())), context);
        Db.InformPartners(open, keys, context);
    }
}

/// <summary>A partner's report on a support action it carries, forwarded by the gateway; the case checks the action is that partner's.</summary>
public sealed class ReportSupportProgressConsumer(SupervisionDbContext db, SealingKeyStore keys, TimeProvider clock)
    : IdempotentConsumer<ReportSupportProgress, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<ReportSupportProgress> context)
    {
        var open = await Db.OpenCaseOfAsync(context.Message.Person, context.CancellationToken);
        Db.PublishOnCommit(CaseRules.Apply(() => open.ReportSupportProgress(context.Message, clock.GetUtcNow())), context);
        Db.InformPartners(open, keys, context, PartnerInformation.OnSupportChange);
    }
}

internal static class CaseRules
{
    /// <summary>A rule the message breaks is its sender's error: rejected with the rule's reason, not retried.</summary>
    public static T Apply<T>(Func<T> change)
    {
        try
        {
            return change();
        }
        catch (CaseRuleViolation violation)
        {
            throw new MessageRejectedException(violation.ReasonCode, violation.Message);
        }
    }

    /// <summary>The partners learn the outcomes and incidents their role is granted; the gateway decides which.</summary>
    public static void InformPartners(this SupervisionDbContext db, SupervisionCase open, SealingKeyStore keys, ConsumeContext cause)
    {
        db.InformPartners(open, keys, cause, PartnerInformation.OnFollowUp);
    }

    public static void InformPartners(this SupervisionDbContext db, SupervisionCase open, SealingKeyStore keys, ConsumeContext? cause,
        IReadOnlyList<Contracts.Gateway.DataCategory> categories)
    {
        var partners = PartnerInformation.CurrentPartners(open);
        if (partners.Count == 0) return;
        var (release, messageId) = PartnerInformation.Release(open, partners, categories, keys);
        db.PublishOnCommit(release, cause, messageId: messageId);
    }

    /// <summary>The designating authority is told the case ended, through the gateway like any release.</summary>
    public static void NotifyEnded(this SupervisionDbContext db, SupervisionCase ended, SealingKeyStore keys, ConsumeContext? cause = null)
    {
        if (PartnerInformation.Notice(ended, Contracts.Gateway.CaseNotice.CaseEnded, keys) is { } notice)
            db.PublishOnCommit(notice.Request, cause, messageId: notice.MessageId);
    }
}

internal static class CaseQueries
{
    public static IQueryable<SupervisionCase> WithFollowUp(this IQueryable<SupervisionCase> cases) =>
        cases.Include(c => c.Assignments).Include(c => c.Controls).Include(c => c.Incidents).Include(c => c.ConductReports).Include(c => c.SupportActions)
            .AsSplitQuery();

    public static async Task<SupervisionCase> OpenCaseOfAsync(this SupervisionDbContext db, Contracts.Values.PersonRef person, CancellationToken cancellationToken) =>
        await db.Cases.WithFollowUp().SingleOrDefaultAsync(c => c.Person == person && c.Status == CaseStatus.Open, cancellationToken)
        ?? throw new MessageRejectedException("no-open-case", "no open case for this person.");
}
