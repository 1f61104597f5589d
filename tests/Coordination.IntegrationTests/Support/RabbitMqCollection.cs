using Coordination.Testing;

namespace Coordination.IntegrationTests.Support;

/// <summary>Every test that needs the broker shares one, started once for the whole run and stopped at the end.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqBroker>
{
    public const string Name = "RabbitMQ";
}
