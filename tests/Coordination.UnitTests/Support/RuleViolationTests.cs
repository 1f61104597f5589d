using System.Text.Json;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordination.UnitTests.Support;

/// <summary>One rule violation, one answer per door: what an HTTP caller reads and what the bus does with it.</summary>
public sealed class RuleViolationTests
{
    [Fact]
    public async Task A_wrong_value_is_a_400_naming_the_field_and_the_reason_code()
    {
        var (status, body) = await AnswerOf(
            new RuleViolation("outside-measure", "scheduledOn", "A control is scheduled within the measure.")
        );

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("outside-measure", body.GetProperty("reasonCode").GetString());
        Assert.Equal("outside-measure", body.GetProperty("reasonCodes").GetProperty("scheduledOn").GetString());
        Assert.Contains("within the measure", body.GetProperty("errors").GetProperty("scheduledOn")[0].GetString());
    }

    [Fact]
    public async Task A_state_conflict_is_a_409_with_the_same_reason_code()
    {
        var (status, body) = await AnswerOf(RuleViolation.Conflict("case-ended", "The case has ended."));

        Assert.Equal(StatusCodes.Status409Conflict, status);
        Assert.Equal("case-ended", body.GetProperty("reasonCode").GetString());
        Assert.Equal("urn:coordination:problem:case-ended", body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Several_wrong_values_are_one_400_naming_each_field_under_the_first_reason_code()
    {
        var (status, body) = await Execute(
            new[]
            {
                new RuleViolation("missing-field", "summary", "A short summary is required."),
                new RuleViolation("date-in-future", "briefedOn", "The date cannot be in the future."),
            }.ToProblem("The briefing was not recorded.")
        );

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("missing-field", body.GetProperty("reasonCode").GetString());
        Assert.Equal("date-in-future", body.GetProperty("reasonCodes").GetProperty("briefedOn").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty("summary", out _));
    }

    [Fact]
    public async Task The_endpoint_filter_answers_for_a_violation_the_handler_throws_and_lets_an_answer_through()
    {
        var filter = RuleViolationProblems.Filter("The control was not recorded.");
        var context = new DefaultEndpointFilterInvocationContext(NewHttpContext());

        var refused = await filter.InvokeAsync(context, _ => throw RuleViolation.Conflict("control-already-recorded", "Already recorded."));
        var (status, body) = await Execute((IResult)refused!);
        Assert.Equal(StatusCodes.Status409Conflict, status);
        Assert.Equal("The control was not recorded.", body.GetProperty("title").GetString());

        var accepted = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>(Results.Accepted()));
        Assert.Equal(StatusCodes.Status202Accepted, (await Execute((IResult)accepted!)).Status);
    }

    [Fact]
    public void Over_amqp_a_violation_is_bad_input_never_retried_even_when_wrapped()
    {
        Assert.True(MessagingExtensions.IsBadInput(new RuleViolation("date-in-future", "occurredAt", "The date is after today.")));
        Assert.True(MessagingExtensions.IsBadInput(new InvalidOperationException("wrapped", RuleViolation.Malformed("no message id."))));
        Assert.False(MessagingExtensions.IsBadInput(new TimeoutException("the database did not answer")));
    }

    private static Task<(int Status, JsonElement Body)> AnswerOf(RuleViolation violation) =>
        Execute(violation.ToProblem("The request was refused."));

    private static async Task<(int Status, JsonElement Body)> Execute(IResult result)
    {
        var http = NewHttpContext();
        await result.ExecuteAsync(http);
        http.Response.Body.Position = 0;
        var text = await new StreamReader(http.Response.Body).ReadToEndAsync();
        return (http.Response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static DefaultHttpContext NewHttpContext() =>
        new()
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
            Response = { Body = new MemoryStream() },
        };
}
