namespace Coordination.Contracts.Gateway;

/// <summary>
/// The agency message types of the gateway's door, as they appear on the wire (the envelope's
/// <c>type</c>, the AMQP routing key, <c>POST /ingress/{type}</c>) and in the published schemas.
/// </summary>
public static class IngressTypeNames
{
    public const string RecordBriefing = "briefings.record-briefing";
    public const string RequestReview = "opinions.request-review";
    public const string SubmitIndicators = "opinions.submit-indicators";
    public const string Contribute = "opinions.contribute";
    public const string DesignatePerson = "supervision.designate-person";
    public const string WithdrawDesignation = "supervision.withdraw-designation";
    public const string ReportDetentionConduct = "supervision.report-detention-conduct";
    public const string RecordControl = "supervision.record-control";
    public const string ReportIncident = "supervision.report-incident";
    public const string ReportSupportProgress = "supervision.report-support-progress";
    public const string ShareInformation = "supervision.share-information";
    public const string AmendReport = "court-reporting.amend-report";

    public static readonly IReadOnlyList<string> All =
    [
        RecordBriefing,
        RequestReview,
        SubmitIndicators,
        Contribute,
        DesignatePerson,
        WithdrawDesignation,
        ReportDetentionConduct,
        RecordControl,
        ReportIncident,
        ReportSupportProgress,
        ShareInformation,
        AmendReport,
    ];
}
