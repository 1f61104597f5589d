using Coordination.Contracts;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Rules;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

public static class AuditApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/audit").WithTags("Audit").RequireAuthorization(CoordinationPolicies.Auditor);
        audit.MapGet("/verify", async (AuditQueries queries, CancellationToken ct) => Results.Ok(await queries.VerifyAsync(ct)));
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
        AuditQueries queries,
        CancellationToken ct
    )
    {
        AuditKind? only = null;
        if (kind is not null)
        {
            if (!ClosedList<AuditKind>.TryParse(kind, out var k))
                return new RuleViolation(
                    ReasonCodes.InvalidField,
                    "kind",
                    $"One of: {string.Join(", ", ClosedList<AuditKind>.Words.Order())}."
                ).ToProblem("Unknown audit entry kind.");
            only = k;
        }
        return Results.Ok(await queries.ListAsync(after ?? 0, Math.Clamp(limit ?? 100, 1, 1000), only, source, from, to, ct));
    }
}
