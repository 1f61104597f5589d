using System.Text.Json;
using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Outbox;
using Coordination.ServiceDefaults.Sealing;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;

namespace Coordination.Supervision.Application;

/// <summary>
/// What a case tells its partners and its designating authority, asked of the gateway on this
/// service's release lane: the <see cref="CaseFile"/> sealed for the gateway, which releases to each
/// recipient the categories the sharing rules in force grant its role (and re-attaches the identity
/// from the vault where they allow it). The request is staged in the commit of the change that causes it.
/// </summary>
/// <remarks>
/// The context is a parameter, not a dependency: a consumer's change is applied to the context its
/// unit of work runs in (the group writer's), which is not the scope's.
/// </remarks>
public sealed class PartnerInformation(SealingKeyStore keys)
{
    public const string Purpose = Purposes.CommunitySupervision;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The partners now on the case learn what <paramref name="categories"/> cover; those taken off get nothing more.</summary>
    public void InformPartners(
        SupervisionDbContext db,
        SupervisionCase open,
        IReadOnlyList<DataCategory> categories,
        ConsumeContext? cause = null
    )
    {
        var partners = open.CurrentAssignments.Select(a => a.Partner).ToList();
        if (partners.Count == 0)
            return;
        Release(db, open, partners, categories, cause);
    }

    /// <summary>A partner just assigned is told what the rules let its role know; the gateway decides, category by category.</summary>
    public void InformAssigned(SupervisionDbContext db, SupervisionCase open, string partner) =>
        Release(db, open, [partner], CaseFile.OnAssignment, null);

    /// <summary>
    /// A notice to the authority that designated the person (<c>supervision.designation-accepted</c>,
    /// <c>supervision.case-ended</c>). It carries the reference and the case's state; the gateway adds
    /// the authority's own reference from the vault and releases it only to the agency the vault says
    /// designated the person. None for a case whose designating agency is not known (opened before the
    /// receipts existed).
    /// </summary>
    public void NotifyAuthority(SupervisionDbContext db, SupervisionCase supervision, CaseNotice notice, ConsumeContext? cause = null)
    {
        if (supervision.DesignatedBy is not { } authority)
            return;
        var messageId = NewId.NextGuid();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = NewId.NextGuid(),
            Territory = supervision.Territory,
            Purpose = Purpose,
            Categories = [DataCategory.DesignationReceipt],
            Recipients = [authority],
            Person = supervision.Person,
            Notice = notice,
            Restriction = supervision.Restriction,
            Payload = Seal(CaseFile.ReceiptOf(supervision, notice), messageId),
        };
        db.PublishOnCommit(request, cause, messageId: messageId);
    }

    private void Release(
        SupervisionDbContext db,
        SupervisionCase supervision,
        IReadOnlyList<string> partners,
        IReadOnlyList<DataCategory> categories,
        ConsumeContext? cause
    )
    {
        var messageId = NewId.NextGuid();
        var request = new ReleaseConfidentialPayload
        {
            ReleaseId = NewId.NextGuid(),
            Territory = supervision.Territory,
            Purpose = Purpose,
            Categories = categories,
            Recipients = partners,
            Person = supervision.Person,
            Restriction = supervision.Restriction,
            Payload = Seal(CaseFile.Of(supervision, categories), messageId),
        };
        db.PublishOnCommit(request, cause, messageId: messageId);
    }

    private SealedPayload Seal(Dictionary<string, object> file, Guid messageId) =>
        PayloadSealer.Seal(JsonSerializer.SerializeToUtf8Bytes(file, Json), keys.CurrentKeyOf(KeyOwners.Gateway), Purpose, messageId);
}
