using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Rules;

namespace Coordination.Gateway.Api;

/// <summary>
/// The gateway's own wording of a broken rule, kept as its clients have always read it: a conflict with
/// the record's state is titled by the rule's own sentence (the shared translation, <see cref="RuleViolationProblems"/>,
/// titles it by the endpoint and puts the sentence in the detail). Status, type and <c>reasonCode</c> are the shared ones.
/// </summary>
public static class GatewayProblems
{
    public static IResult TitledByReason(this RuleViolation violation, int statusCode) =>
        Results.Problem(
            title: violation.Reason,
            statusCode: statusCode,
            type: Problems.TypeOf(violation.ReasonCode),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = violation.ReasonCode }
        );

    /// <summary>An endpoint filter: a state conflict the handler throws answers 409 titled by its sentence.</summary>
    public static async ValueTask<object?> ConflictsTitledByReason(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RuleViolation violation) when (violation.Kind == ViolationKind.StateConflict)
        {
            return violation.TitledByReason(StatusCodes.Status409Conflict);
        }
    }
}
