using Coordination.Contracts;
using Coordination.Contracts.Values;
using Coordination.Gateway.Domain;
using Coordination.Gateway.Persistence;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace Coordination.Gateway.Api;

public static class AuditApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/audit").WithTags("Audit").RequireAuthorization(CoordinationPolicies.Auditor);
        audit.MapGet("/verify", async (AuditLog log, CancellationToken ct) => Results.Ok(await log.VerifyAsync(ct)));
        audit.MapGet("/", ListAsync);
    }

    /// <summary>
    /// Entries in sequence order after <paramref name="after"/>, optionally only of one kind, one source,
    /// or within [<paramref name="from"/>, <paramref name="to"/>): what an auditor filters on.
    /// </summary>
    private static async Task<IResult> ListAsync(
        long? after,
        int? limit,
        string? kind,
        string? source,
        DateTimeOffset? from,
        DateTimeOffset? to,
        GatewayDbContext db,
        CancellationToken ct
    )
    {
        var query = db.Audit.AsNoTracking().Where(a => a.Sequence > (after ?? 0));
        if (kind is not null)
        {
            if (!ClosedList<AuditKind>.TryParse(kind, out var k))
                return Problems.Validation(
                    "Unknown audit entry kind.",
                    [("kind", ReasonCodes.InvalidField, $"One of: {string.Join(", ", ClosedList<AuditKind>.Words.Order())}.")]
                );
            query = query.Where(a => a.Kind == k);
        }
        if (!string.IsNullOrWhiteSpace(source))
            query = query.Where(a => a.Source == source);
        // Stored in UTC (AuditEntry.Next); on SQLite as a binary number that orders like the instant.
        if (from?.ToUniversalTime() is { } start)
            query = query.Where(a => a.At >= start);
        if (to?.ToUniversalTime() is { } end)
            query = query.Where(a => a.At < end);
        return Results.Ok(await query.OrderBy(a => a.Sequence).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct));
    }
}
