using Coordination.Briefings.Consumers;
using Coordination.ServiceDefaults.Messaging;

namespace Coordination.UnitTests.Support;

public sealed class EndpointNameTests
{
    [Fact]
    public void Queues_are_prefixed_by_the_owning_service_and_by_the_queue_prefix_when_one_is_set()
    {
        Assert.Equal(
            "briefings-record-penal-policy-briefing",
            new ServiceEndpointNameFormatter().Consumer<RecordPenalPolicyBriefingConsumer>()
        );
        Assert.Equal(
            "otlp-1a2b-briefings-record-penal-policy-briefing",
            new ServiceEndpointNameFormatter("otlp-1a2b-").Consumer<RecordPenalPolicyBriefingConsumer>()
        );
    }
}
