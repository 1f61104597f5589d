using Coordination.Contracts.Supervision;
using Coordination.CourtReporting.Domain;
using Coordination.CourtReporting.Persistence;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Territories;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.CourtReporting.Consumers;

// The picture is built from Supervision's published facts alone: nothing an agency sends reaches it (4° is one-way).

public sealed class SupervisionOpenedConsumer(CourtReportingDbContext db) : IdempotentConsumer<SupervisionOpened, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<SupervisionOpened> context)
    {
        var opened = context.Message;
        if (await Db.Cases.AnyAsync(c => c.CaseId == opened.CaseId, context.CancellationToken)) return;
        Db.Cases.Add(new CasePicture
        {
            CaseId = opened.CaseId,
            Person = opened.Person,
            Territory = opened.Territory,
            Jurisdiction = opened.SentenceEnforcementJurisdiction,
            ReleaseDate = opened.ReleaseDate,
            MeasureEndsOn = opened.MeasureEndsOn,
        });
    }
}

public sealed class PartnerAssignedConsumer(CourtReportingDbContext db) : IdempotentConsumer<PartnerAssigned, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<PartnerAssigned> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.CancellationToken);
        if (picture.Partners.All(p => p.Partner != context.Message.Partner.Value))
            picture.Partners = [.. picture.Partners, new PartnerInPlace(context.Message.Partner.Value, context.Message.Role)];
    }
}

public sealed class ControlScheduledConsumer(CourtReportingDbContext db) : IdempotentConsumer<ControlScheduled, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<ControlScheduled> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.CancellationToken);
        await Db.AddFactOnceAsync(new ReportableFact
        {
            Id = context.Message.ControlId, Kind = FactKind.ControlPlanned, CaseId = picture.CaseId, Jurisdiction = picture.Jurisdiction, On = context.Message.ScheduledFor,
        }, context.CancellationToken);
    }
}

public sealed class ControlRecordedConsumer(CourtReportingDbContext db) : IdempotentConsumer<ControlRecorded, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<ControlRecorded> context)
    {
        var recorded = context.Message;
        // A postponed control is neither done nor missed: it stays planned.
        if (recorded.Outcome == ControlOutcome.Postponed) return;
        var picture = await Db.PictureOfAsync(recorded.CaseId, context.CancellationToken);
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
public sealed class IncidentReportedConsumer(CourtReportingDbContext db, CourtReportIssuer issuer, TimeProvider clock, IOptions<CourtReportingOptions> options)
    : IdempotentConsumer<IncidentReported, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<IncidentReported> context)
    {
        var incident = context.Message;
        var picture = await Db.PictureOfAsync(incident.CaseId, context.CancellationToken);
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
        if (!added || incident.Severity != IncidentSeverity.Serious || Jurisdictions.Find(picture.Jurisdiction) is not { } jurisdiction) return;

        var now = clock.GetUtcNow();
        var today = TerritoryCalendar.Today(picture.Territory, now);
        var occurredOn = TerritoryCalendar.Today(picture.Territory, incident.OccurredAt);
        var upTo = occurredOn > today ? occurredOn : today;
        var start = await issuer.NextPeriodStartAsync(jurisdiction, upTo, options.Value.PeriodMonths, context.CancellationToken);
        await issuer.StageAsync(jurisdiction, start, upTo, ReportTrigger.SeriousIncident, now, context.CancellationToken);
    }
}

public sealed class SupervisionEndedConsumer(CourtReportingDbContext db) : IdempotentConsumer<SupervisionEnded, CourtReportingDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<SupervisionEnded> context)
    {
        var picture = await Db.PictureOfAsync(context.Message.CaseId, context.CancellationToken);
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
/// Retention elapsed: the picture and its facts are deleted, and the person's lines in reports
/// already issued lose their reference (the figures stay, as issued).
/// </summary>
public sealed class SupervisionPurgedConsumer(CourtReportingDbContext db) : IdempotentConsumer<SupervisionPurged, CourtReportingDbContext>(db)
{
    public const string PurgedReference = "purged";

    protected override async Task Handle(ConsumeContext<SupervisionPurged> context)
    {
        var ct = context.CancellationToken;
        var person = context.Message.Person;
        Db.Cases.RemoveRange(await Db.Cases.Where(c => c.CaseId == context.Message.CaseId || c.Person == person).ToListAsync(ct));
        Db.Facts.RemoveRange(await Db.Facts.Where(f => f.CaseId == context.Message.CaseId).ToListAsync(ct));
        foreach (var report in await Db.Reports.ToListAsync(ct))
            if (report.Lines.Any(l => l.Person == person.Value))
                report.Lines = report.Lines.Select(l => l.Person == person.Value ? l with { Person = PurgedReference } : l).ToList();
    }
}

internal static class PictureQueries
{
    /// <summary>Facts and the case's opening travel on different queues: a fact that arrives first is retried until the picture exists.</summary>
    public static async Task<CasePicture> PictureOfAsync(this CourtReportingDbContext db, Guid caseId, CancellationToken cancellationToken) =>
        await db.Cases.SingleOrDefaultAsync(c => c.CaseId == caseId, cancellationToken)
        ?? throw new InvalidOperationException("unknown-case: the case's opening has not arrived yet.");

    public static async Task<bool> AddFactOnceAsync(this CourtReportingDbContext db, ReportableFact fact, CancellationToken cancellationToken)
    {
        if (await db.Facts.AnyAsync(f => f.Id == fact.Id && f.Kind == fact.Kind, cancellationToken)) return false;
        db.Facts.Add(fact);
        return true;
    }
}
