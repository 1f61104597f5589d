using System.Security.Claims;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;

namespace Coordination.Gateway.Ingress;

public static class IngressApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/ingress/{type}", ReceiveAsync).WithTags("Ingress").RequireAuthorization(CoordinationPolicies.AgencySystem);
    }

    /// <summary>An agency system posts its envelope; the answer is 202 with the decision, or a problem with the reason code.</summary>
    private static async Task<IResult> ReceiveAsync(string type, HttpRequest request, ClaimsPrincipal user, IngressProcessor processor, CancellationToken cancellationToken)
    {
        var source = new AgencySource(user.FindFirst(CoordinationClaims.Agency)!.Value, user.RoleOf(), user.TerritoriesOf());
        using var buffer = new MemoryStream();
        var read = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(read, cancellationToken)) > 0)
        {
            buffer.Write(read, 0, n);
            if (buffer.Length > IngressProcessor.MaxBytes) break; // enough to know it is too large
        }

        var outcome = await processor.ProcessAsync(source, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), type, cancellationToken);
        if (outcome.Accepted)
            return Results.Accepted(value: new { outcome.MessageId, outcome.DecisionId, outcome = "accepted", outcome.Duplicate });

        var status = outcome.ReasonCode switch
        {
            "too-large" => StatusCodes.Status413PayloadTooLarge,
            "forbidden-inbound-flow" or "role-not-allowed" or "territory-not-allowed" or "person-not-designated" or "not-assigned-to-case" => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        return Results.Problem(title: outcome.Reason, statusCode: status, type: Problems.TypeOf(outcome.ReasonCode), extensions: new Dictionary<string, object?>
        {
            ["reasonCode"] = outcome.ReasonCode,
            ["decisionId"] = outcome.DecisionId,
            ["messageId"] = outcome.MessageId,
            ["errors"] = outcome.Errors,
            ["duplicate"] = outcome.Duplicate,
        });
    }
}
