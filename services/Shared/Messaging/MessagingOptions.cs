namespace Coordination.ServiceDefaults.Messaging;

public enum MessageTransport
{
    RabbitMq,
    InMemory,
}

/// <summary>Bound from the <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public MessageTransport Transport { get; set; } = MessageTransport.RabbitMq;

    /// <summary>amqp://user:password@host:port/vhost</summary>
    public string RabbitMqUrl { get; set; } = "amqp://guest:guest@localhost:5672/";

    /// <summary>
    /// The nodes of a RabbitMQ cluster, <c>host:port</c> each: connections go to a node that answers
    /// and, when it is lost, to another, by themselves. Empty: the host and port of <see cref="RabbitMqUrl"/>,
    /// whose account and virtual host are used either way.
    /// </summary>
    public string[] ClusterNodes { get; set; } = [];

    /// <summary>
    /// A connection for code that uses RabbitMQ.Client itself (the gateway's doors): to the URL's node, or
    /// to the first cluster node that answers, with the factory's account, virtual host and TLS settings.
    /// </summary>
    public Task<RabbitMQ.Client.IConnection> ConnectAsync(RabbitMQ.Client.ConnectionFactory factory, CancellationToken cancellationToken)
    {
        if (ClusterNodes.Length == 0)
            return factory.CreateConnectionAsync(cancellationToken);
        var endpoints = ClusterNodes
            .Select(n => RabbitMQ.Client.AmqpTcpEndpoint.Parse(n))
            .Select(e => new RabbitMQ.Client.AmqpTcpEndpoint(e.HostName, e.Port, factory.Ssl))
            .ToList();
        return factory.CreateConnectionAsync(endpoints, cancellationToken);
    }

    /// <summary>Redeliveries after the first attempt before a message is moved to its error queue.</summary>
    public int RetryLimit { get; set; } = 3;

    public int RetryIntervalMilliseconds { get; set; } = 200;

    /// <summary>Quorum queues replicate across a cluster; a single node supports them too (3.8+).</summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>Enough in flight for the group writer to fill its batches (one transaction per batch, not per message).</summary>
    public ushort PrefetchCount { get; set; } = 64;

    /// <summary>How long start-up waits for the broker before the host gives up (and its orchestrator restarts it).</summary>
    public int StartTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// The broker's definitions (infra/rabbitmq/generate-definitions.py) declare each message-type
    /// exchange and bind it to its consumers' endpoints; the service then binds nothing itself and
    /// declares no exchange it does not own. True wherever the accounts of definitions.json are used
    /// (compose, production); false (the service binds its consumers) on a broker without them.
    /// </summary>
    public bool ConsumeTopologyFromBroker { get; set; }

    /// <summary>
    /// Put before every queue this host names (its endpoints, the gateway's ingress queue); empty by
    /// default. For processes that share one broker and virtual host but must not share queues
    /// (tests on an external broker that cannot give them a vhost of their own).
    /// </summary>
    public string QueuePrefix { get; set; } = "";
}
