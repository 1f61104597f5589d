using System.Security.Claims;
using Coordination.Contracts;
using Coordination.Contracts.Values;
using Coordination.Gateway.Application;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Api;

public static class IngressApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/ingress/{type}", ReceiveAsync).WithTags("Ingress").RequireAuthorization(CoordinationPolicies.AgencySystem);
    }

    /// <summary>An agency system posts its envelope; the answer is 202 with the decision, or a problem with the reason code.</summary>
    private static async Task<IResult> ReceiveAsync(
        string type,
        HttpRequest request,
        ClaimsPrincipal user,
        IngressProcessor processor,
        AgencyDirectory directory,
        CancellationToken cancellationToken
    )
    {
        // The token names the agency; the directory says who that agency is. A token that says more
        // than the directory (another role, other territories) is not believed, and not used.
        var claimed = user.FindFirst(CoordinationClaims.Agency)?.Value;
        if (await directory.FindAsync(claimed, cancellationToken) is not { } source)
            return Problem(
                await processor.RejectUnidentifiedAsync(
                    new AgencySource(
                        AgencyId.IsValid(claimed) ? claimed : IngressProcessor.Unidentified,
                        null,
                        new HashSet<TerritoryCode>()
                    ),
                    IngressProcessor.KnownTypeOrNull(type),
                    cancellationToken
                )
            );
        if (user.RoleOf() != source.Role || !user.TerritoriesOf().SetEquals(source.Territories))
            return Problem(await processor.RejectMismatchedSourceAsync(source, IngressProcessor.KnownTypeOrNull(type), cancellationToken));

        using var buffer = new MemoryStream();
        var read = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(read, cancellationToken)) > 0)
        {
            buffer.Write(read, 0, n);
            if (buffer.Length > IngressProcessor.MaxBytes)
                break; // enough to know it is too large
        }

        var outcome = await processor.ProcessAsync(source, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), type, cancellationToken);
        if (outcome.Accepted)
            return Results.Accepted(
                value: new
                {
                    outcome.MessageId,
                    outcome.DecisionId,
                    outcome = IngressProcessor.Accepted,
                    outcome.Duplicate,
                }
            );

        return Problem(outcome);
    }

    private static IResult Problem(IngressOutcome outcome)
    {
        var status = outcome.ReasonCode switch
        {
            ReasonCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
            ReasonCodes.ForbiddenInboundFlow
            or ReasonCodes.RoleNotAllowed
            or ReasonCodes.TerritoryNotAllowed
            or ReasonCodes.PersonNotDesignated
            or ReasonCodes.UnknownAuthorityReference
            or ReasonCodes.NotAssignedToCase
            or ReasonCodes.UnassignedFromCase
            or ReasonCodes.UnidentifiedSource
            or ReasonCodes.AgencyMismatch => StatusCodes.Status403Forbidden,
            // The person's case is open: the request conflicts with the state of the follow-up.
            ReasonCodes.DesignationConflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        return Results.Problem(
            title: outcome.Reason,
            statusCode: status,
            type: Problems.TypeOf(outcome.ReasonCode),
            extensions: new Dictionary<string, object?>
            {
                ["reasonCode"] = outcome.ReasonCode,
                ["decisionId"] = outcome.DecisionId,
                ["messageId"] = outcome.MessageId,
                ["errors"] = outcome.Errors,
                ["duplicate"] = outcome.Duplicate,
            }
        );
    }
}
