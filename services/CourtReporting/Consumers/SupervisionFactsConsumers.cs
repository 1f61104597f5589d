using Coordination.Contracts.Supervision;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.CourtReporting.Consumers;

// The picture is built from Supervision's published facts alone: nothing an agency sends reaches it (4° is one-way).

/// <summary>
/// A fact about one case. It is read and written in one transaction, so that a purge committed in
/// between cannot be undone by it, and two facts of one case cannot overwrite each other's change;
/// a fact of a case already purged is dropped and counted.
/// </summary>
public abstract class CaseFactConsumer<TMessage>(CourtReportingDbContext db, ILogger logger) : IdempotentConsumer<TMessage, CourtReportingDbContext>(db)
    where TMessage : class
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected abstract Guid CaseOf(TMessage fact);

    protected sealed override async Task Handle(ConsumeContext<TMessage> context)
    {
        var caseId = CaseOf(context.Message);
        if (await Db.PurgedCases.AnyAsync(p => p.CaseId == caseId, context.CancellationToken))
        {
            LateFacts.Drop(logger, CourtReportingService.Name, typeof(TMessage).Name, caseId, context.MessageId);
            return;
        }
        await HandleFact(context);
    }

    protected abstract Task HandleFact(ConsumeContext<TMessage> context);
}

public sealed class SupervisionOpenedConsumer(CourtReportingDbContext db, CourtReportIssuer issuer, TimeProvider clock, IOptions<CourtReportingOptions> options, ILogger<SupervisionOpenedConsumer> logger)
    : CaseFactConsumer<SupervisionOpened>(db, logger)
{
    /// <summary>The report issuer stages through the consumer's own context: this unit commits alone.</summary>
    protected override bool CommitsInGroup => false;

    protected override Guid CaseOf(SupervisionOpened fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupervisionOpened> context)
    {
        var opened = context.Message;
        var ct = context.CancellationToken;
        var picture = await Db.Cases.SingleOrDefaultAsync(c => c.CaseId == opened.CaseId, ct);
        if (picture is { AwaitsOpening: false }) return;
        if (picture is null)
        {
            picture = CasePicture.AwaitingOpening(opened.CaseId, opened.Person);
            Db.Cases.Add(picture);
        }
        picture.Opened(opened);

        // Facts that came before the opening now belong to the jurisdiction; a serious incident among them is reported now.
        var early = await Db.Facts.Where(f => f.CaseId == opened.CaseId && f.ReportId == null).ToListAsync(ct);
        foreach (var fact in early) fact.Jurisdiction = picture.Jurisdiction;
        if (early.Any(f => f.Kind == FactKind.Incident && f.Severity == IncidentSeverity.Serious) && await Db.ActiveJurisdictionAsync(picture.Jurisdiction, ct) is { } jurisdiction)
            await issuer.StageImmediateAsync(jurisdiction, early.Where(f => f.Kind == FactKind.Incident).Max(f => f.On), clock.GetUtcNow(),
                options.Value.PeriodMonths, ct);
    }
}

public sealed class PartnerAssignedConsumer(CourtReportingDbContext db, ILogger<PartnerAssignedConsumer> logger)
    : CaseFactConsumer<PartnerAssigned>(db, logger)
{
    protected override Guid CaseOf(PartnerAssigned fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<PartnerAssigned> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.Message.Person, context.CancellationToken);
        if (picture.Partners.All(p => p.Partner != context.Message.Partner.Value))
            picture.Partners = [.. picture.Partners, new PartnerInPlace(context.Message.Partner.Value, context.Message.Role)];
    }
}

public sealed class ControlScheduledConsumer(CourtReportingDbContext db, ILogger<ControlScheduledConsumer> logger)
    : CaseFactConsumer<ControlScheduled>(db, logger)
{
    protected override Guid CaseOf(ControlScheduled fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<ControlScheduled> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.Message.Person, context.CancellationToken);
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = context.Message.ControlId, Kind = FactKind.ControlPlanned, CaseId = picture.CaseId, Jurisdiction = picture.Jurisdiction, On = context.Message.ScheduledFor,
        }, context.CancellationToken);
    }
}

public sealed class ControlRecordedConsumer(CourtReportingDbContext db, ILogger<ControlRecordedConsumer> logger)
    : CaseFactConsumer<ControlRecorded>(db, logger)
{
    protected override Guid CaseOf(ControlRecorded fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<ControlRecorded> context)
    {
        var recorded = context.Message;
        // A postponed control is neither done nor missed: it stays planned.
        if (recorded.Outcome == ControlOutcome.Postponed) return;
        var picture = await Db.PictureOfAsync(recorded.CaseId, recorded.Person, context.CancellationToken);
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = recorded.ControlId,
            Kind = recorded.Outcome == ControlOutcome.Missed ? FactKind.ControlMissed : FactKind.ControlDone,
            CaseId = picture.CaseId,
            Jurisdiction = picture.Jurisdiction,
            On = recorded.ControlledOn,
            Detail = Contracts.Values.ClosedList<ControlOutcome>.WordOf(recorded.Outcome),
        }, context.CancellationToken);
    }
}

/// <summary>An incident joins the picture; a serious one is reported to the JAP and SPIP at once, not at the end of the month.</summary>
public sealed class IncidentReportedConsumer(CourtReportingDbContext db, CourtReportIssuer issuer, TimeProvider clock, IOptions<CourtReportingOptions> options, ILogger<IncidentReportedConsumer> logger)
    : CaseFactConsumer<IncidentReported>(db, logger)
{
    /// <summary>The report issuer stages through the consumer's own context: this unit commits alone.</summary>
    protected override bool CommitsInGroup => false;

    protected override Guid CaseOf(IncidentReported fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<IncidentReported> context)
    {
        var incident = context.Message;
        var picture = await Db.PictureOfAsync(incident.CaseId, incident.Person, context.CancellationToken);
        var added = await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = incident.IncidentId,
            Kind = FactKind.Incident,
            CaseId = picture.CaseId,
            Jurisdiction = picture.Jurisdiction,
            On = TerritoryCalendar.Today(picture.Territory, incident.OccurredAt),
            Detail = Contracts.Values.ClosedList<IncidentKind>.WordOf(incident.Kind),
            Severity = incident.Severity,
        }, context.CancellationToken);
        if (!added || incident.Severity != IncidentSeverity.Serious) return;
        // A jurisdiction the directory has not told of yet (or retired) gets no report now; its next periodic one counts the incident.
        if (await Db.ActiveJurisdictionAsync(picture.Jurisdiction, context.CancellationToken) is not { } jurisdiction) return;
        await issuer.StageImmediateAsync(jurisdiction, TerritoryCalendar.Today(picture.Territory, incident.OccurredAt), clock.GetUtcNow(),
            options.Value.PeriodMonths, context.CancellationToken);
    }
}

/// <summary>A partner taken off the case is no longer among its partners in place (what it recorded stays counted).</summary>
public sealed class PartnerUnassignedConsumer(CourtReportingDbContext db, ILogger<PartnerUnassignedConsumer> logger)
    : CaseFactConsumer<PartnerUnassigned>(db, logger)
{
    protected override Guid CaseOf(PartnerUnassigned fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<PartnerUnassigned> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.Message.Person, context.CancellationToken);
        picture.Partners = picture.Partners.Where(p => p.Partner != context.Message.Partner.Value).ToList();
    }
}

/// <summary>A support action planned: counted, by kind only, in the next report's figures.</summary>
public sealed class SupportActionPlannedConsumer(CourtReportingDbContext db, ILogger<SupportActionPlannedConsumer> logger)
    : CaseFactConsumer<SupportActionPlanned>(db, logger)
{
    protected override Guid CaseOf(SupportActionPlanned fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupportActionPlanned> context)
    {
        var planned = context.Message;
        var picture = await Db.PictureOfAsync(planned.CaseId, planned.Person, context.CancellationToken);
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = planned.ActionId, Kind = FactKind.SupportActionPlanned, CaseId = picture.CaseId, Jurisdiction = picture.Jurisdiction, On = planned.PlannedOn,
            Detail = Contracts.Values.ClosedList<SupportActionKind>.WordOf(planned.Kind),
        }, context.CancellationToken);
    }
}

/// <summary>A support action started, completed or abandoned: each counted once, in the report of the period it happened in.</summary>
public sealed class SupportActionProgressedConsumer(CourtReportingDbContext db, ILogger<SupportActionProgressedConsumer> logger)
    : CaseFactConsumer<SupportActionProgressed>(db, logger)
{
    protected override Guid CaseOf(SupportActionProgressed fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupportActionProgressed> context)
    {
        var progressed = context.Message;
        FactKind? kind = progressed.Status switch
        {
            SupportActionStatus.InProgress => FactKind.SupportActionStarted,
            SupportActionStatus.Completed => FactKind.SupportActionCompleted,
            SupportActionStatus.Abandoned => FactKind.SupportActionAbandoned,
            _ => null,
        };
        if (kind is null) return;
        var picture = await Db.PictureOfAsync(progressed.CaseId, progressed.Person, context.CancellationToken);
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = progressed.ActionId, Kind = kind.Value, CaseId = picture.CaseId, Jurisdiction = picture.Jurisdiction, On = progressed.On,
            Detail = Contracts.Values.ClosedList<SupportActionKind>.WordOf(progressed.Kind),
        }, context.CancellationToken);
    }
}

public sealed class SupervisionEndedConsumer(CourtReportingDbContext db, ILogger<SupervisionEndedConsumer> logger)
    : CaseFactConsumer<SupervisionEnded>(db, logger)
{
    protected override Guid CaseOf(SupervisionEnded fact) => fact.CaseId;

    protected override async Task HandleFact(ConsumeContext<SupervisionEnded> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.Message.Person, context.CancellationToken);
        picture.Open = false;
        picture.EndReason = context.Message.Reason;
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = context.Message.CaseId, Kind = FactKind.CaseEnded, CaseId = picture.CaseId, Jurisdiction = picture.Jurisdiction,
            On = TerritoryCalendar.Today(picture.Territory, context.Message.EndedAt), Detail = Contracts.Values.ClosedList<SupervisionEndReason>.WordOf(context.Message.Reason),
        }, context.CancellationToken);
    }
}

/// <summary>
/// Retention elapsed: the case's picture and facts are deleted; when it was the person's last case,
/// the person's lines leave the reports already issued (their figures stay, as issued).
/// </summary>
public sealed class SupervisionPurgedConsumer(CourtReportingDbContext db) : IdempotentConsumer<SupervisionPurged, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<SupervisionPurged> context)
    {
        var ct = context.CancellationToken;
        var purged = context.Message;
        // The tombstone commits with the deletions: a fact of this case that comes later is dropped.
        if (!await Db.PurgedCases.AnyAsync(p => p.CaseId == purged.CaseId, ct))
            Db.PurgedCases.Add(new PurgedCase { CaseId = purged.CaseId, PurgedAt = purged.PurgedAt });
        var picture = await Db.Cases.SingleOrDefaultAsync(c => c.CaseId == purged.CaseId, ct);
        if (picture is not null) Db.Cases.Remove(picture);
        Db.Facts.RemoveRange(await Db.Facts.Where(f => f.CaseId == purged.CaseId).ToListAsync(ct));
        if (!purged.LastCaseOfPerson) return;
        var reports = picture is { AwaitsOpening: false }
            ? await Db.Reports.Where(r => r.Jurisdiction == picture.Jurisdiction).ToListAsync(ct)
            : await Db.Reports.ToListAsync(ct);
        foreach (var report in reports.Where(r => r.Lines.Any(l => l.Person == purged.Person.Value)))
            report.Lines = report.Lines.Where(l => l.Person != purged.Person.Value).ToList();
        _forgotten = purged.Person.Value;
    }

    private string? _forgotten;

    /// <summary>Inside the consumer's one transaction: the release requests that listed the person go with the lines.</summary>
    protected override async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Db.SaveChangesAsync(cancellationToken);
        if (_forgotten is { } reference) await Db.ForgetOutboxOfAsync(reference, cancellationToken);
    }
}

/// <summary>
/// The gateway refused a report to a recipient (no rules in force, no rule granting it...): the
/// report shows why, and its facts are given back to the next report, which the JAP and SPIP then
/// receive instead. Denials of other services' releases name no report and change nothing.
/// </summary>
public sealed class ConfidentialPayloadDeniedConsumer(CourtReportingDbContext db, TimeProvider clock)
    : IdempotentConsumer<Contracts.Gateway.ConfidentialPayloadDenied, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<Contracts.Gateway.ConfidentialPayloadDenied> context)
    {
        var denied = context.Message;
        var ct = context.CancellationToken;
        if (await Db.Reports.SingleOrDefaultAsync(r => r.Id == denied.ReleaseId, ct) is not { } report) return;
        var outcome = denied.ReasonCode == Contracts.Gateway.ReleaseReasonCodes.NoRecipientKey ? RecipientOutcome.Held : RecipientOutcome.Denied;
        if (!report.Answered(denied.Recipient, outcome, denied.ReasonCode, clock.GetUtcNow())) return;
        foreach (var fact in await Db.Facts.Where(f => f.ReportId == report.Id).ToListAsync(ct))
            fact.ReportId = null;
    }
}

/// <summary>The gateway delivered a report to a recipient (at once, or once its key was registered).</summary>
public sealed class ConfidentialPayloadReleasedConsumer(CourtReportingDbContext db, TimeProvider clock)
    : IdempotentConsumer<Contracts.Gateway.ConfidentialPayloadReleased, CourtReportingDbContext>(db)
{
    protected override bool ReadsAndWritesInOneTransaction => true;

    protected override async Task Handle(ConsumeContext<Contracts.Gateway.ConfidentialPayloadReleased> context)
    {
        var released = context.Message;
        if (await Db.Reports.SingleOrDefaultAsync(r => r.Id == released.ReleaseId, context.CancellationToken) is { } report)
            report.Answered(released.Recipient, RecipientOutcome.Released, null, clock.GetUtcNow());
    }
}

internal static class PictureQueries
{
    /// <summary>
    /// Facts and the case's opening travel on different queues: a fact that comes first is kept on a
    /// picture awaiting the opening, which gives it its jurisdiction.
    /// </summary>
    public static async Task<CasePicture> PictureOfAsync(this CourtReportingDbContext db, Guid caseId, Contracts.Values.PersonRef person, CancellationToken cancellationToken)
    {
        var picture = await db.Cases.SingleOrDefaultAsync(c => c.CaseId == caseId, cancellationToken);
        if (picture is null)
        {
            picture = CasePicture.AwaitingOpening(caseId, person);
            db.Cases.Add(picture);
        }
        else
        {
            // Every writer of a picture bumps its version: of two facts of one case at once (two
            // partners assigned, an end and an assignment), the second is retried on what the first
            // wrote instead of overwriting it. While the opening is awaited, the fact that commits
            // after the opening is retried and takes the jurisdiction.
            picture.Touch();
        }
        return picture;
    }

    public static async Task<bool> AddFactOnceAsync(this CourtReportingDbContext db, ReportableFact fact, CancellationToken cancellationToken)
    {
        if (await db.Facts.AnyAsync(f => f.Id == fact.Id && f.Kind == fact.Kind, cancellationToken)) return false;
        db.Facts.Add(fact);
        return true;
    }
}
