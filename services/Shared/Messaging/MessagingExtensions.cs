using System.Text.Json;
using Coordination.ServiceDefaults.Hosting;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// One bus per process with every registered consumer: transport from <c>Messaging:Transport</c>,
    /// kebab-case queues prefixed by service, bounded retries then <c>&lt;queue&gt;_error</c> with the
    /// fault reason in its headers, publisher confirms, quorum queues on RabbitMQ.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationMessaging(this IHostApplicationBuilder builder)
    {
        var registry = builder.Registry();
        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddSingleton(options);

        builder.Services.AddMassTransit(x =>
        {
            x.AddCoordinationConsumers(registry, options);

            switch (options.Transport)
            {
                case MessageTransport.InMemory:
                    x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                    break;
                case MessageTransport.RabbitMq:
                    x.UsingRabbitMq(
                        (context, cfg) =>
                        {
                            cfg.Host(
                                new Uri(options.RabbitMqUrl),
                                h =>
                                {
                                    h.PublisherConfirmation = true;
                                    // A cluster: MassTransit connects to a node that answers, and to another when that one is lost.
                                    if (options.ClusterNodes.Length > 0)
                                        h.UseCluster(c =>
                                        {
                                            foreach (var node in options.ClusterNodes)
                                                c.Node(node);
                                        });
                                }
                            );
                            // Named by the service rather than by machine and process, so that each broker
                            // account may reach its own bus queue and no other service's.
                            cfg.OverrideDefaultBusEndpointQueueName(BusEndpointQueueName(registry, options));
                            cfg.ConfigureEndpoints(context);
                        }
                    );
                    break;
                default:
                    throw new InvalidOperationException($"Messaging:Transport must be RabbitMq or InMemory, not {options.Transport}.");
            }
        });

        if (options.Transport == MessageTransport.RabbitMq)
            builder.Services.AddSingleton<IBrokerConnectionRenewal, RabbitMqConnectionRenewal>();

        // Start-up completes only once every endpoint's queues, exchanges and bindings exist (ConsumersOpen
        // waits for the bus's start), so a message published right after start is routed, never dropped as unroutable.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.StartTimeout = TimeSpan.FromSeconds(options.StartTimeoutSeconds);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddEarlyStart();
        foreach (var register in registry.AfterMessaging)
            register(builder.Services);
        return builder;
    }

    /// <summary>
    /// The conventions every bus of the platform shares, also used by tests on MassTransit's test
    /// harness so that they exercise the same endpoints, names, retries and error queues.
    /// </summary>
    public static void AddCoordinationConsumers(
        this IBusRegistrationConfigurator x,
        CoordinationServiceRegistry registry,
        MessagingOptions options
    )
    {
        x.SetEndpointNameFormatter(new ServiceEndpointNameFormatter(options.QueuePrefix));
        foreach (var register in registry.Consumers)
            register(x);

        x.AddConfigureEndpointsCallback(
            (context, _, endpoint) =>
            {
                // A host's bus starts before its databases are migrated (EarlyStart); its consumers wait.
                if (context.GetService(typeof(ConsumeGate)) is ConsumeGate gate)
                    endpoint.UseFilter(new ConsumeGateFilter(gate));
                // A Fault<T> event would copy the failed message to any subscriber of faults; the
                // error queue, readable only by the owning service's account, keeps it instead.
                endpoint.PublishFaults = false;
                endpoint.UseMessageRetry(r =>
                {
                    // Bad input stays bad: straight to the error queue with its reason.
                    r.Ignore<Exception>(IsBadInput);
                    // Deferred decisions have their own bounded retry, in the consumer that defers them.
                    r.Ignore<DecisionDeferredException>();
                    r.Interval(options.RetryLimit, TimeSpan.FromMilliseconds(options.RetryIntervalMilliseconds));
                });
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    if (options.QuorumQueues)
                        rabbit.SetQuorumQueue();
                    // The broker's definitions bind each consumed message type to this endpoint's exchange:
                    // binding it here would declare the publisher's exchange, which needs the configure
                    // permission that would also let this service delete it.
                    if (options.ConsumeTopologyFromBroker)
                        rabbit.ConfigureConsumeTopology = false;
                    rabbit.PrefetchCount = options.PrefetchCount;
                }
            }
        );

        x.ConfigureHealthCheckOptions(h =>
        {
            h.Name = "bus";
            h.Tags.Add("ready");
        });
    }

    /// <summary>
    /// <c>&lt;queue prefix&gt;&lt;service&gt;_bus_&lt;id&gt;</c>: the service as its queues are prefixed
    /// (<c>courtreporting</c>), or the host's name when it runs several; MassTransit recognises a bus
    /// endpoint by <c>_bus_</c>. The id keeps two instances of one service apart.
    /// </summary>
    public static string BusEndpointQueueName(CoordinationServiceRegistry registry, MessagingOptions options)
    {
        var owner = registry.Services.Count == 1 ? registry.Services[0] : registry.HostName;
        var service = new string(owner.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return $"{options.QueuePrefix}{service}_bus_{Guid.NewGuid():N}";
    }

    /// <summary>A message that cannot be read or breaks a rule; a retry would fail the same way.</summary>
    public static bool IsBadInput(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MessageRejectedException or Rules.RuleViolation or JsonException || e.GetType().Name == "SerializationException")
                return true;
        }
        return false;
    }
}
