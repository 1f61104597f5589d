using Coordination.Contracts.Classification;
using Coordination.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Coordination.UnitTests.Support;

public sealed partial class RedactionTests
{
    private const string Canary = "CANARY-Jeanne-Durand-1987";

    [Fact]
    public async Task A_value_logged_as_confidential_never_reaches_the_log_while_internal_ones_do()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults("redaction-test");
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILogger<RedactionTests>>();

        LogDesignation(logger, Canary, "75", "TJ Paris");

        var record = Assert.Single(app.Services.GetFakeLogCollector().GetSnapshot());
        var everything = record.Message + string.Join(";", record.StructuredState?.Select(kv => $"{kv.Key}={kv.Value}") ?? []);
        Assert.DoesNotContain(Canary, everything);
        Assert.DoesNotContain("Jeanne", everything);
        Assert.Contains("75", everything);
        Assert.Contains("TJ Paris", everything);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Designation of {Identity} in {Territory} by {Jurisdiction}")]
    private static partial void LogDesignation(
        ILogger logger,
        [Confidential] string identity,
        [Public] string territory,
        [Internal] string jurisdiction
    );
}
