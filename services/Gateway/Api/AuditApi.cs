using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Api;

public static class AuditApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/audit").WithTags("Audit").RequireAuthorization(CoordinationPolicies.Auditor);
        audit.MapGet("/verify", async (AuditLog log, CancellationToken ct) => Results.Ok(await log.VerifyAsync(ct)));
        audit.MapGet("/", async (long? after, int? limit, GatewayDbContext db, CancellationToken ct) =>
            Results.Ok(await db.Audit.AsNoTracking()
                .Where(a => a.Sequence > (after ?? 0))
                .OrderBy(a => a.Sequence)
                .Take(Math.Clamp(limit ?? 100, 1, 1000))
                .ToListAsync(ct)));
    }
}
