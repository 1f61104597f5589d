using System.Text.Json;
using Coordination.Contracts;
using Microsoft.AspNetCore.Http;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// Problem details (RFC 9457) with a <c>reasonCode</c> extension that matches the AMQP rejection
/// codes, so that a sender reads the same code whichever door it used.
/// </summary>
public static class Problems
{
    public static string TypeOf(string reasonCode) => $"urn:coordination:problem:{reasonCode}";

    public static IResult Validation(string title, IEnumerable<(string Field, string ReasonCode, string Message)> violations)
    {
        var list = violations.ToList();
        var errors = list.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Message).Distinct().ToArray());
        var reasonCode = list.Count > 0 ? list[0].ReasonCode : ReasonCodes.InvalidField;
        return Results.ValidationProblem(
            errors,
            title: title,
            type: TypeOf(reasonCode),
            extensions: new Dictionary<string, object?>
            {
                ["reasonCode"] = reasonCode,
                ["reasonCodes"] = list.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.First().ReasonCode),
            }
        );
    }

    /// <summary>
    /// The one answer for a record outside the caller's role or territories, and for one that does
    /// not exist where the caller could not see it anyway: it reveals nothing.
    /// </summary>
    public static IResult Forbidden() =>
        Results.Problem(
            title: "Not among the records you may access.",
            statusCode: StatusCodes.Status403Forbidden,
            type: TypeOf("forbidden"),
            extensions: new Dictionary<string, object?> { ["reasonCode"] = "forbidden" }
        );

    public static IResult NotFound(string title) =>
        Results.Problem(title: title, statusCode: StatusCodes.Status404NotFound, type: TypeOf("not-found"));

    /// <summary>Reads a JSON body; a body that is not JSON of the expected shape is a problem, not an exception.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadJsonBodyAsync<T>(
        this HttpRequest request,
        CancellationToken cancellationToken
    )
        where T : class
    {
        if (!request.HasJsonContentType())
            return (
                null,
                Results.Problem(
                    title: "The body must be JSON (Content-Type: application/json).",
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    type: TypeOf(ReasonCodes.MalformedMessage),
                    extensions: new Dictionary<string, object?> { ["reasonCode"] = ReasonCodes.MalformedMessage }
                )
            );
        try
        {
            var body = await request.ReadFromJsonAsync<T>(cancellationToken);
            if (body is not null)
                return (body, null);
        }
        catch (JsonException)
        {
            // The parser's message can quote the input: it is not echoed back or logged.
        }
        return (
            null,
            Results.Problem(
                title: "The body is not well-formed JSON of the expected shape.",
                statusCode: StatusCodes.Status400BadRequest,
                type: TypeOf(ReasonCodes.MalformedMessage),
                extensions: new Dictionary<string, object?> { ["reasonCode"] = ReasonCodes.MalformedMessage }
            )
        );
    }
}
