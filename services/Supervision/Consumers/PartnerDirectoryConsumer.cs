using Coordination.Contracts.Gateway;
using Coordination.ServiceDefaults.Outbox;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Consumers;

/// <summary>
/// Supervision's copy of the partners it may assign follows the gateway's directory (ADR 16): the
/// secretariat registers and retires partners there, and the gateway publishes each change in the
/// commit that made it. A retired partner leaves the list, so it can be assigned no more; its past
/// assignments stay on the cases as history, and the gateway releases nothing to it.
/// </summary>
public sealed class PartnerDirectoryChangedConsumer(SupervisionDbContext db)
    : IdempotentConsumer<PartnerDirectoryChanged, SupervisionDbContext>(db)
{
    protected override async Task Handle(ConsumeContext<PartnerDirectoryChanged> context)
    {
        var change = context.Message;
        var existing = await Db.Partners.SingleOrDefaultAsync(p => p.Id == change.Partner, context.CancellationToken);
        // A change older than the copy's own registration arrived late: the newer one stands.
        if (existing is not null && existing.RegisteredAt > change.ChangedAt) return;
        if (change.Retired)
        {
            if (existing is not null) Db.Partners.Remove(existing);
            return;
        }
        if (existing is null)
            Db.Partners.Add(new Partner
            {
                Id = change.Partner, Territory = change.Territory, Role = change.Role, Name = change.Name,
                    RegisteredAt = change.ChangedAt, RegisteredBy = change.ChangedBy,
            });
        else
            Db.Entry(existing).CurrentValues.SetValues(new { change.Territory, change.Role, change.Name, RegisteredAt = change.ChangedAt,
                RegisteredBy = change.ChangedBy });
    }
}
