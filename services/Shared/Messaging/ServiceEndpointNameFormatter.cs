using MassTransit;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// Kebab-case queue names prefixed by the owning service, taken from the consumer's namespace
/// (<c>Coordination.Briefings.Consumers.X</c> → <c>briefings-x</c>), so that the same consumer
/// name in two services never shares a queue, in one process or many. A queue prefix
/// (<c>Messaging:QueuePrefix</c>, empty by default) goes before all of it.
/// </summary>
public sealed class ServiceEndpointNameFormatter(string queuePrefix = "") : KebabCaseEndpointNameFormatter(includeNamespace: false)
{
    public static string ServiceOf(Type type)
    {
        var parts = (type.Namespace ?? string.Empty).Split('.');
        return parts.Length > 1 && parts[0] == "Coordination"
            ? parts[1].ToLowerInvariant()
            : throw new InvalidOperationException($"{type.FullName} is not in a Coordination.<Service> namespace.");
    }

    protected override string GetConsumerName(Type type) => $"{queuePrefix}{ServiceOf(type)}-{base.GetConsumerName(type)}";
}
