using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordination.Briefings.Api;
using Coordination.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coordination.IntegrationTests.EndToEnd;

/// <summary>Through the all-in-one host's HTTP API, as an operator would use it after the README's run command.</summary>
public sealed class AllInOneBriefingsTests : IAsyncLifetime
{
    // 15 December 2026: inside the 30-day lead before the year ends.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 15, 10, 0, 0, TimeSpan.Zero));
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAllInOneAsync(b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Post(string json, string contentType = "application/json") =>
        _host.Http.PostAsync("/briefings", new StringContent(json, Encoding.UTF8, contentType));

    private const string Valid = """
        {"territory":"75","prioritySecurityZone":"ZSP Paris 18e","briefedOn":"2026-02-10","prosecutorOffice":"Parquet de Paris",
         "priorityThemes":["drug-trafficking","domestic-violence"],"summary":"Priorités de politique pénale 2026."}
        """;

    [Fact]
    public async Task A_recorded_briefing_meets_the_duty_of_its_year_and_the_other_territory_is_due()
    {
        var created = await Post(Valid);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var briefing = (await created.Content.ReadFromJsonAsync<BriefingView>())!;
        Assert.Equal(created.Headers.Location!.ToString(), $"/briefings/{briefing.Id}");
        Assert.Equal("ZSP Paris 18e", (await _host.GetJsonAsync<BriefingView>($"/briefings/{briefing.Id}")).PrioritySecurityZone);

        var paris = await _host.GetJsonAsync<JsonElement>("/briefings/compliance/2026/75");
        Assert.Equal(
            ("met", true, 1),
            (paris.GetProperty("status").GetString(), paris.GetProperty("met").GetBoolean(), paris.GetProperty("briefings").GetInt32())
        );

        var all = await _host.GetJsonAsync<JsonElement[]>("/briefings/compliance/2026");
        Assert.Equal("due", all.Single(c => c.GetProperty("territory").GetString() == "93").GetProperty("status").GetString());

        _clock.SetUtcNow(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal("overdue", (await _host.GetJsonAsync<JsonElement>("/briefings/compliance/2026/93")).GetProperty("status").GetString());
        Assert.Equal("pending", (await _host.GetJsonAsync<JsonElement>("/briefings/compliance/2027/93")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(
        """{"territory":"99","briefedOn":"2026-02-10","prosecutorOffice":"P","priorityThemes":["road-safety"],"summary":"s"}""",
        "unknown-territory",
        "territory"
    )]
    [InlineData(
        """{"territory":"93","briefedOn":"2026-12-16","prosecutorOffice":"P","priorityThemes":["road-safety"],"summary":"s"}""",
        "date-in-future",
        "briefedOn"
    )]
    [InlineData("""{"territory":"93","briefedOn":"2026-02-10","priorityThemes":["road-safety"]}""", "missing-field", "prosecutorOffice")]
    [InlineData(
        """{"territory":"93","briefedOn":"10/02/2026","prosecutorOffice":"P","priorityThemes":["road-safety"],"summary":"s"}""",
        "invalid-field",
        "briefedOn"
    )]
    [InlineData(
        """{"territory":"93","briefedOn":"2026-02-10","prosecutorOffice":"P","priorityThemes":["gardening"],"summary":"s"}""",
        "invalid-field",
        "priorityThemes"
    )]
    [InlineData("""{"territory":"93","briefedOn":""", "malformed-message", null)]
    [InlineData("""{"territory":93}""", "malformed-message", null)]
    public async Task Bad_input_gets_a_problem_naming_the_reason_and_records_nothing(string json, string reasonCode, string? field)
    {
        var response = await Post(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reasonCode, problem.GetProperty("reasonCode").GetString());
        Assert.Equal($"urn:coordination:problem:{reasonCode}", problem.GetProperty("type").GetString());
        if (field is not null)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
        Assert.Empty(await _host.GetJsonAsync<List<BriefingView>>("/briefings"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_as_such()
    {
        var response = await Post("territory=75", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("malformed-message", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reasonCode").GetString());
    }

    [Fact]
    public async Task An_unknown_briefing_or_territory_is_a_problem_not_an_error()
    {
        // An unknown id answers as a record outside one's territories would: nothing is revealed.
        var missing = await _host.Http.GetAsync($"/briefings/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        var unknown = await _host.Http.GetAsync("/briefings/compliance/2026/20");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task Readiness_covers_the_bus_and_the_database()
    {
        JsonElement report = default;
        await Coordination.Testing.Poller.UntilAsync(
            async () =>
            {
                var response = await _host.Http.GetAsync("/health/ready");
                report = await response.Content.ReadFromJsonAsync<JsonElement>();
                return response.StatusCode == HttpStatusCode.OK;
            },
            "ready"
        );
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("bus").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("briefings-database").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.GetAsync("/health/live")).StatusCode);
    }
}
