using Coordination.Contracts.Gateway;
using Coordination.Contracts.Supervision;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coordination.Supervision.Application;

/// <summary>The judicial authority withdraws its designation: the case ends, and the authority is told.</summary>
public sealed class WithdrawDesignationHandler(PartnerInformation information, TimeProvider clock, IOptions<SupervisionOptions> options)
{
    public async Task HandleAsync(SupervisionDbContext db, WithdrawDesignation withdrawal, ConsumeContext cause)
    {
        var open =
            await db.Cases.SingleOrDefaultAsync(c => c.Person == withdrawal.Person && c.Status == CaseStatus.Open, cause.CancellationToken)
            ?? throw CaseLoading.NoOpenCase();
        db.PublishOnCommit(open.End(SupervisionEndReason.DesignationWithdrawn, clock.GetUtcNow(), options.Value.RetentionPeriod), cause);
        information.NotifyAuthority(db, open, CaseNotice.CaseEnded, cause);
    }
}
