using System.Diagnostics.Metrics;
using Coordination.Testing;

namespace Coordination.UnitTests.Support;

/// <summary>Counts every relay in the process, so it runs alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(OutboxRelayTests), DisableParallelization = true)]
public sealed class SerialCollection;

[Collection(nameof(OutboxRelayTests))]
public sealed class OutboxRelayTests
{
    [Fact]
    public async Task An_idle_relay_polls_at_its_interval_instead_of_spinning()
    {
        long passes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "coordination.outbox.relay.passes") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref passes, value));
        listener.Start();

        await using var service = await BriefingsHarness.StartAsync(DateTimeOffset.UtcNow, new Dictionary<string, string?> { ["Outbox:PollInterval"] = "00:00:00.500" });
        await Poller.UntilAsync(() => Interlocked.Read(ref passes) > 0, "the relay's first pass");
        var before = Interlocked.Read(ref passes);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var during = Interlocked.Read(ref passes) - before;

        // Four passes are expected in two seconds; a relay woken by its own bookkeeping makes thousands.
        Assert.InRange(during, 1, 20);
    }
}
