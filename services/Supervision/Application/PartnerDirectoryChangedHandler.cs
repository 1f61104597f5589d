using Coordination.Contracts.Gateway;
using Coordination.Supervision.Domain;
using Coordination.Supervision.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Supervision.Application;

/// <summary>
/// Supervision's copy of the partners it may assign follows the gateway's directory (ADR 16): the
/// secretariat registers and retires partners there, and the gateway publishes each change in the
/// commit that made it. A retired partner leaves the list, so it can be assigned no more; its past
/// assignments stay on the cases as history, and the gateway releases nothing to it.
/// </summary>
public sealed class PartnerDirectoryChangedHandler
{
    public async Task HandleAsync(SupervisionDbContext db, PartnerDirectoryChanged change, CancellationToken cancellationToken)
    {
        var existing = await db.Partners.SingleOrDefaultAsync(p => p.Id == change.Partner, cancellationToken);
        // A change older than the copy's own registration arrived late: the newer one stands.
        if (existing is not null && existing.RegisteredAt > change.ChangedAt)
            return;
        if (change.Retired)
        {
            if (existing is not null)
                db.Partners.Remove(existing);
            return;
        }
        if (existing is null)
            db.Partners.Add(
                new Partner
                {
                    Id = change.Partner,
                    Territory = change.Territory,
                    Role = change.Role,
                    Name = change.Name,
                    RegisteredAt = change.ChangedAt,
                    RegisteredBy = change.ChangedBy,
                }
            );
        else
            db.Entry(existing)
                .CurrentValues.SetValues(
                    new
                    {
                        change.Territory,
                        change.Role,
                        change.Name,
                        RegisteredAt = change.ChangedAt,
                        RegisteredBy = change.ChangedBy,
                    }
                );
    }
}
