using Coordination.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http;

namespace Coordination.ServiceDefaults.Rules;

/// <summary>
/// The HTTP translation of <see cref="RuleViolation"/>, in one place: a wrong value is a 400 validation
/// problem naming the field, a state conflict a 409; both carry the same <c>reasonCode</c> the AMQP
/// door gives. Endpoints either call <see cref="ToProblem"/> or run under <see cref="Filter"/>, which
/// answers for any violation their handler throws.
/// </summary>
public static class RuleViolationProblems
{
    public static IResult ToProblem(this RuleViolation violation, string title) =>
        violation.Kind == ViolationKind.StateConflict
            ? Results.Problem(
                title: title,
                detail: violation.Reason,
                statusCode: StatusCodes.Status409Conflict,
                type: Problems.TypeOf(violation.ReasonCode),
                extensions: new Dictionary<string, object?> { ["reasonCode"] = violation.ReasonCode }
            )
            : Problems.Validation(
                title,
                [(violation.Field.Length > 0 ? violation.Field : "message", violation.ReasonCode, violation.Reason)]
            );

    /// <summary>
    /// Several broken rules at once (a form checked whole): one 400 naming each field, the first rule's
    /// code as the <c>reasonCode</c>, so that one answer names everything to fix.
    /// </summary>
    public static IResult ToProblem(this IEnumerable<RuleViolation> violations, string title) =>
        Problems.Validation(title, violations.Select(v => (v.Field.Length > 0 ? v.Field : "message", v.ReasonCode, v.Reason)));

    /// <summary>An endpoint filter: a violation thrown by the handler becomes its problem, titled for the endpoint.</summary>
    public static IEndpointFilter Filter(string title) => new ViolationFilter(title);

    private sealed class ViolationFilter(string title) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (RuleViolation violation)
            {
                return violation.ToProblem(title);
            }
        }
    }
}
